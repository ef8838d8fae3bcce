"""Assigned distribution with routing by skill (issue #19): no assignment crosses tags, and records no chosen
annotator can take are reported."""

from labeling.models import Assignment, Dataset

from .conftest import add_records


def test_no_assignment_crosses_tags_and_unroutable_records_are_reported(api_client_for, admin, routed_dataset, labeler):
    routed_dataset.distribution = Dataset.Distribution.ASSIGNED
    routed_dataset.save()
    domains = add_records(routed_dataset, 6)
    skills = {"py1": ["python"], "py2": ["python", "legal"], "none1": []}
    for name, tags in skills.items():
        labeler(name, tags)
    answer = api_client_for(admin).post(f"/api/datasets/{routed_dataset.pk}/distribute/",
                                        {"per_record": 2, "annotators": list(skills)}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    for record_id, username in Assignment.objects.filter(record__dataset=routed_dataset).values_list(
            "record_id", "user__username"):
        domain = domains[record_id]
        assert domain is None or domain in skills[username], (domain, username)
    biology = sorted(str(pk) for pk, domain in domains.items() if domain == "biology")
    assert body["records_unroutable"] == 6 and sorted(body["unroutable_record_ids"]) == biology
    assert body["records_short"] == 6
    assert body["created"] == 6 * 2 + 6 * 2, "python and untagged records each get two annotators"


def test_a_labeler_gets_their_assigned_record_whatever_its_tags(api_client_for, routed_dataset, labeler):
    routed_dataset.distribution = Dataset.Distribution.ASSIGNED
    routed_dataset.save()
    domains = add_records(routed_dataset, 1)
    biology = next(pk for pk, domain in domains.items() if domain == "biology")
    user = labeler("handpicked", ["python"])
    Assignment.objects.create(record_id=biology, user=user)
    answer = api_client_for(user).get(f"/api/datasets/{routed_dataset.pk}/next/")
    assert answer.json()["id"] == str(biology), "an admin's explicit assignment wins over routing"
