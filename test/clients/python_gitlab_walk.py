"""Drives the REST API with python-gitlab (Debian's python3-gitlab), as an administrator's script would.

Usage: python_gitlab_walk.py URL ROOT_TOKEN GROUP_WITH_HISTORY_ID
Every step checks what came back, not only that no exception was raised, and prints `step <name>` when done;
the calling test compares the steps with the list it expects. Any failed check exits non-zero.
"""
import datetime
import sys

import gitlab

url, root_token, history_group_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
gl = gitlab.Gitlab(url, private_token=root_token, per_page=20)


def step(name):
    print(f"step {name}", flush=True)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


gl.auth()
expect(gl.user.username == "root" and gl.user.is_admin, f"signed in as {gl.user.username}")
version, revision = gl.version()
expect(version == "0.1.0" and revision == "dependency-proxy", f"version {version} {revision}")
step("auth-and-version")

# Users: create, get, list with filters and pages, block and unblock.
alice = gl.users.create({"username": "py-alice", "email": "py-alice@example.test", "name": "Py Alice", "password": "py-alice-password-1"})
bob = gl.users.create({"username": "py-bob", "email": "py-bob@example.test", "name": "Py Bob", "password": "py-bob-password-1"})
expect(gl.users.get(alice.id).username == "py-alice", "get user")
expect([u.username for u in gl.users.list(search="py-")] == ["py-alice", "py-bob"], "search users")
expect([u.username for u in gl.users.list(username="PY-BOB")] == ["py-bob"], "username filter")
bob.block()
expect(gl.users.get(bob.id).state == "blocked", "blocked")
expect([u.username for u in gl.users.list(search="py-", active=True)] == ["py-alice"], "active filter")
bob.unblock()
expect(gl.users.get(bob.id).state == "active", "unblocked")
page = gl.users.list(per_page=1, page=2)
expect(len(page) == 1, "one user a page")
everyone = gl.users.list(per_page=1, get_all=True)
expect({"root", "py-alice", "py-bob"} <= {u.username for u in everyone}, "all pages of users")
gone = gl.users.create({"username": "py-gone", "email": "py-gone@example.test", "name": "Py Gone", "password": "py-gone-password-1"})
gl.users.delete(gone.id)
try:
    gl.users.get(gone.id)
    raise AssertionError("a deleted user is still there")
except gitlab.exceptions.GitlabGetError as e:
    expect(e.response_code == 404, f"deleted user: {e.response_code}")
step("users")

# Groups and subgroups: create, get by id and by path, list with filters and pages, subgroups, descendants.
top = gl.groups.create({"name": "Py Top", "path": "py-top"})
sub = gl.groups.create({"name": "Py Sub", "path": "py-sub", "parent_id": top.id})
deep = gl.groups.create({"name": "Py Deep", "path": "py-deep", "parent_id": sub.id})
expect(gl.groups.get("py-top/py-sub").id == sub.id, "get by path")
expect(gl.groups.get(deep.id).full_name == "Py Top / Py Sub / Py Deep", "full_name")
for i in range(5):
    gl.groups.create({"name": f"Py Many {i}", "path": f"py-many-{i}"})
expect([g.path for g in gl.groups.list(search="py-many", per_page=2, page=3)] == ["py-many-4"], "third page of two")
listing = gl.groups.list(search="py-many", per_page=2, iterator=True)
expect(listing.total == 5 and listing.total_pages == 3, f"totals {listing.total} {listing.total_pages}")
expect([g.path for g in listing] == [f"py-many-{i}" for i in range(5)], "iterator walks every page")
expect([g.path for g in gl.groups.list(search="py-", top_level_only=True, get_all=True)] == ["py-many-0", "py-many-1", "py-many-2", "py-many-3", "py-many-4", "py-top"], "top level only")
sub.name = "Py Sub Renamed"
sub.save()
expect(gl.groups.get(sub.id).name == "Py Sub Renamed" and gl.groups.get(deep.id).full_name == "Py Top / Py Sub Renamed / Py Deep", "renamed")
expect([g.path for g in top.subgroups.list()] == ["py-sub"], "subgroups")
expect(sorted(g.path for g in top.descendant_groups.list()) == ["py-deep", "py-sub"], "descendants")
step("groups")

# Members: add by id and by username, change the role, list direct and inherited, remove.
member = top.members.create({"user_id": alice.id, "access_level": 30})
expect(member.access_level == 30, "added")
# python-gitlab 3.12 insists on user_id before sending; GitLab itself (and we) also take a username.
by_name = gl.http_post(f"/groups/{sub.id}/members", post_data={"username": "py-bob", "access_level": 10})
expect(by_name["id"] == bob.id, "added by username")
member.access_level = 40
member.save()
expect(top.members.get(alice.id).access_level == 40, "role changed")
expect({m.username for m in deep.members_all.list(get_all=True)} == {"root", "py-alice", "py-bob"}, "inherited members")
expect(deep.members_all.get(alice.id).access_level == 40, "one inherited member")
expect([m.username for m in top.members.list(query="alice")] == ["py-alice"], "member query")
sub.members.delete(bob.id)
expect([m.username for m in sub.members.list()] == ["root"], "member removed")
step("members")

# Personal access tokens: create for a user, list (all, filtered), revoke.
pat = alice.personal_access_tokens.create({"name": "py-pat", "scopes": ["read_registry", "api"]})
expect(pat.token and pat.scopes == ["read_registry", "api"], "token shown once")
as_alice = gitlab.Gitlab(url, private_token=pat.token)
as_alice.auth()
expect(as_alice.user.username == "py-alice", "the new token signs in")
mine = gl.personal_access_tokens.list(user_id=alice.id)
expect([t.name for t in mine] == ["py-pat"], "listed for the user")
expect(any(t.user_id == alice.id for t in gl.personal_access_tokens.list(get_all=True)), "admin lists every token")
gl.personal_access_tokens.delete(pat.id)
expect([t.name for t in gl.personal_access_tokens.list(user_id=alice.id, revoked=True)] == ["py-pat"], "revoked")
expect(gl.personal_access_tokens.list(user_id=alice.id, state="active") == [], "none active")
step("personal-access-tokens")

# Group deploy tokens: create, get, list (group and instance), revoke.
deploy = top.deploytokens.create({"name": "py-deploy", "scopes": ["read_registry"], "username": "py-deployer"})
expect(deploy.token and deploy.username == "py-deployer", "deploy token")
expect(top.deploytokens.get(deploy.id).name == "py-deploy", "get deploy token")
expect([t.name for t in top.deploytokens.list()] == ["py-deploy"], "group deploy tokens")
expect([t.id for t in gl.deploytokens.list() if t.name == "py-deploy"] == [deploy.id], "instance deploy tokens")
top.deploytokens.delete(deploy.id)
expect([t.name for t in top.deploytokens.list(active=False)] == ["py-deploy"], "deploy token revoked")
step("deploy-tokens")

# Group access tokens: create, list, revoke.
in_a_month = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
gat = top.access_tokens.create({"name": "py-bot", "scopes": ["read_registry"], "access_level": 10, "expires_at": in_a_month})
expect(gat.token and gat.access_level == 10, "group access token")
expect([t.name for t in top.access_tokens.list(state="active")] == ["py-bot"], "listed")
top.access_tokens.delete(gat.id)
expect([t.name for t in top.access_tokens.list(revoked=True)] == ["py-bot"], "group access token revoked")
step("group-access-tokens")

# CI job tokens (admins, for a Developer or more) and SAML sessions: routes python-gitlab has no manager for.
job = gl.http_post(f"/groups/{top.id}/job_tokens", post_data={"user_id": alice.id})
expect(job["user_id"] == alice.id and job["token"], "job token")
gl.http_post(f"/job_tokens/{job['id']}/finish")
session = gl.http_post(f"/groups/{top.id}/saml_sessions", post_data={"user_id": alice.id})
expect(session["active"] is True, "SSO session")
gl.http_delete(f"/groups/{top.id}/saml_sessions/{alice.id}")
step("job-tokens-and-sso")

# The dependency proxy: summary, purge (a DELETE python-gitlab sends with a JSON content type), history.
summary = gl.http_get(f"/groups/{top.id}/dependency_proxy")
expect(summary["enabled"] is True and summary["image_prefix"].endswith("/py-top/dependency_proxy/containers"), "summary")
gl.http_delete(f"/groups/{top.id}/dependency_proxy/cache")
history = gl.http_list(f"/groups/{history_group_id}/dependency_proxy/settings/history", per_page=1, get_all=True)
expect([h["setting"] for h in history] == ["enabled", "identity", "secret"], f"history {history}")
expect(all(h["to"] != "py-hub-secret" for h in history), "secret never shown")
step("dependency-proxy")

# Groups changed and deleted: description and path (subgroups follow), a refused visibility naming the field,
# a subgroup deleted with its deploy token (refused by the registry after), its path reused, the top deleted.
life = gl.groups.create({"name": "Py Life", "path": "py-life", "description": "first"})
life_sub = gl.groups.create({"name": "Py Life Sub", "path": "py-life-sub", "parent_id": life.id})
life_deep = gl.groups.create({"name": "Py Life Deep", "path": "py-life-deep", "parent_id": life_sub.id})
expect(gl.groups.get(life.id).description == "first", "description at creation")
life.description = "Mirrors for CI"
life.path = "py-life-moved"
life.save()
moved = gl.groups.get(life.id)
expect(moved.description == "Mirrors for CI" and moved.path == "py-life-moved" and moved.visibility == "private", f"updated {moved.attributes}")
expect(gl.groups.get("py-life-moved/py-life-sub").id == life_sub.id, "subgroup found under the new path")
expect(gl.groups.get(life_deep.id).full_path == "py-life-moved/py-life-sub/py-life-deep", "descendant moved")
try:
    gl.groups.update(life.id, {"visibility": "public"})
    raise AssertionError("public visibility accepted")
except gitlab.exceptions.GitlabUpdateError as e:
    expect(e.response_code == 400 and "visibility" in str(e.error_message), f"visibility refused: {e.response_code} {e.error_message}")
life_deploy = life_sub.deploytokens.create({"name": "py-life-deploy", "scopes": ["read_registry"]})


def registry_sign_in(group_path, username, password):
    scope = f"repository:{group_path}/dependency_proxy/containers/alpine:pull"
    return gl.session.get(f"{url}/jwt/auth", params={"service": "dependency_proxy", "scope": scope}, auth=(username, password)).status_code


expect(registry_sign_in("py-life-moved/py-life-sub", life_deploy.username, life_deploy.token) == 200, "deploy token signs in")
gl.groups.delete(life_sub.id)
for gone_id in (life_sub.id, life_deep.id):
    try:
        gl.groups.get(gone_id)
        raise AssertionError(f"deleted group {gone_id} still there")
    except gitlab.exceptions.GitlabGetError as e:
        expect(e.response_code == 404, f"deleted group: {e.response_code}")
expect(life.descendant_groups.list() == [], "no descendants left")
expect(all(g.id != life_sub.id for g in gl.groups.list(search="py-life", get_all=True)), "deleted group not listed")
expect(registry_sign_in("py-life-moved/py-life-sub", life_deploy.username, life_deploy.token) == 403, "deleted group's deploy token refused")
reused = gl.groups.create({"name": "Py Life Sub", "path": "py-life-sub", "parent_id": life.id})
expect(reused.id != life_sub.id and reused.full_path == "py-life-moved/py-life-sub", "path reused")
life.delete()
expect(gl.groups.list(search="py-life", get_all=True) == [], "top and its new subgroup deleted")
step("group-update-and-delete")

# Application settings.
settings = gl.settings.get()
expect(settings.can_create_group is True, "settings")
step("settings")
