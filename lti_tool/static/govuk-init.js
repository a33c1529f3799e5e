/* Start GOV.UK Frontend's components (error summary focus, character count, header menu...).
   An ES module, so browsers too old for GOV.UK Frontend skip it and get the plain HTML. */
import { initAll } from "./govuk/govuk-frontend.min.js";
initAll();
