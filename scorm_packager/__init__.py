"""SCORM 1.2 / 2004 / cmi5 packages of SWOTT toolkits, for LMSs without LTI."""
