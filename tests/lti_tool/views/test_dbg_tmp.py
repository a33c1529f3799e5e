import dataclasses, re
from tests.lti_tool.evaluation.support import submit_l2, finish_l1
from tests.lti_tool.l2_factories import launch_of, sign_in, csrf_from
from tests.lti_tool.views.test_l1_welsh import english_left, interface_text
from tests.lti_tool.views.test_l2 import World, world  # noqa

def test_dbg(world):
    learner = world.course.learners[0]
    with world.app.extensions["swott.db"].session() as session:
        submit_l2(session, world.course, learner)
        session.commit()
    client = world.app.test_client()
    sign_in(client, dataclasses.replace(launch_of(world.course, learner), locale="cy-GB"))
    for path in ("/portfolio/", "/l2/reflection", "/l2/"):
        r = client.get(path, follow_redirects=True)
        html = r.get_data(as_text=True)
        print("=====", path, r.status_code, english_left(html))
        print(interface_text(html)[:3000])
    other = world.course.learners[1]
    c2 = world.app.test_client()
    sign_in(c2, dataclasses.replace(launch_of(world.course, other), locale="cy-GB"))
    r = c2.get("/l2/reflection", follow_redirects=True)
    html = r.get_data(as_text=True)
    print("===== not attended", r.status_code, english_left(html))
    print(interface_text(html)[:3000])
