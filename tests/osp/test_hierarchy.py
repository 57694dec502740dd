import pytest
from django.core.exceptions import ValidationError

from osp.services import user_update


def test_it_refuses_a_manager_who_reports_to_the_user(people):
    # director -> manager_a -> rep_a; making rep_a the director's manager closes a loop.
    with pytest.raises(ValidationError) as e:
        user_update(actor=people.admin, user=people.director, manager=people.rep_a)
    assert "loop" in str(e.value.message_dict["manager"])
    people.director.refresh_from_db()
    assert people.director.manager is None


def test_it_refuses_being_ones_own_manager(people):
    with pytest.raises(ValidationError) as e:
        user_update(actor=people.admin, user=people.rep_a, manager=people.rep_a)
    assert "own manager" in str(e.value.message_dict["manager"])


def test_it_accepts_a_move_within_the_tree(people):
    user_update(actor=people.admin, user=people.rep_a, manager=people.manager_b)
    people.rep_a.refresh_from_db()
    assert people.rep_a.manager == people.manager_b


def test_api_answers_a_cycle_with_a_field_error(people, api):
    response = api(people.admin).patch(f"/api/v1/users/{people.manager_a.pk}/",
                                       {"manager": people.rep_a.pk}, format="json")
    assert response.status_code == 400
    assert "loop" in response.json()["manager"][0]


def test_admin_form_refuses_a_cycle(people, client):
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    url = f"/admin/osp/user/{people.director.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "username": "director", "first_name": "D", "last_name": "R", "email": "",
        "roles": ["sales_manager"], "manager": people.rep_b.pk, "is_active": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "loop" in response.content.decode()
    people.director.refresh_from_db()
    assert people.director.manager is None


def test_only_an_admin_manages_users(people, api):
    response = api(people.manager_a).patch(f"/api/v1/users/{people.rep_a.pk}/",
                                           {"manager": people.manager_b.pk}, format="json")
    assert response.status_code == 403


def test_admin_creates_a_user_with_roles_and_manager(people, api):
    response = api(people.admin).post("/api/v1/users/", {
        "username": "new.rep", "first_name": "New", "last_name": "Rep",
        "roles": ["sales_rep", "presales"], "manager": people.manager_a.pk,
        "password": "a-long-password",
    }, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["roles"] == ["sales_rep", "presales"]
    assert "password" not in response.json()


def test_unknown_roles_are_refused(people, api):
    response = api(people.admin).post("/api/v1/users/", {
        "username": "x", "roles": ["emperor"]}, format="json")
    assert response.status_code == 400
    assert "roles" in response.json()
