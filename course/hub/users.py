"""The class's system users (``make hub-users``): run as root, after ``make hub-setup``.

    add [--instructor NAME] [--passwords FILE] STUDENT ...
        Creates each user (home folder only they can read) in the group lrcourse-students, or
        lrcourse-instructors for the instructor, and sets a password: a random one, written
        to /srv/lrcourse-hub/initial-passwords.txt (readable by root only), or the one given
        in FILE (lines ``name:password``). A user who exists already joins the group and
        keeps their password. The hub needs no restart: it lets in both groups.
    remove NAME ...
        Deletes the users and their home folders (the end of a class, or of a test).

The hub authenticates with PAM against these users' passwords (the system's own login).
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hub_setup import INSTRUCTORS_GROUP, STUDENTS_GROUP, ensure_group, fail, state_dir  # noqa: E402

NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


def check_can_create_users() -> None:
    if os.geteuid() != 0:
        fail(
            'creating system users needs root: run `sudo make hub-users STUDENTS="..."` '
            "(or `sudo .venv/bin/python course/hub/users.py add ...`)"
        )


def check_name(name: str) -> None:
    if not name or not set(name) <= NAME_CHARS or not name[0].isalpha() or len(name) > 32:
        fail(
            f"{name!r} is not a usable login name: lower-case letters, digits, - and _, "
            "starting with a letter, at most 32 characters"
        )


def exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def add(names: list[str], instructor: str | None, passwords: dict[str, str]) -> dict[str, str]:
    """Create the users; return the passwords that were set (new users only)."""
    check_can_create_users()
    for group in (STUDENTS_GROUP, INSTRUCTORS_GROUP):
        ensure_group(group)
    wanted = [(n, STUDENTS_GROUP) for n in names] + (
        [(instructor, INSTRUCTORS_GROUP)] if instructor else []
    )
    for name, _ in wanted:
        check_name(name)
    given = {}
    for name, group in wanted:
        if exists(name):
            subprocess.run(["usermod", "-a", "-G", group, name], check=True)
            print(f"hub users: {name} exists; added to {group}")
            continue
        subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/bash", "-G", group, name], check=True
        )
        os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
        given[name] = passwords.get(name) or secrets.token_urlsafe(9)
        print(f"hub users: created {name} ({group})")
    if given:
        subprocess.run(
            ["chpasswd"],
            input="".join(f"{n}:{p}\n" for n, p in given.items()),
            text=True,
            check=True,
        )
        unlisted = {n: p for n, p in given.items() if n not in passwords}
        if unlisted:
            record = state_dir() / "initial-passwords.txt"
            record.parent.mkdir(parents=True, exist_ok=True)
            with open(os.open(record, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as out:
                out.writelines(f"{n}:{p}\n" for n, p in unlisted.items())
            print(f"hub users: their passwords are in {record} (give each their own)")
    return given


def remove(names: list[str]) -> None:
    check_can_create_users()
    for name in names:
        if exists(name):
            subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)
            print(f"hub users: removed {name}")


def read_passwords(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    return dict(line.split(":", 1) for line in lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Create or remove the class's system users.")
    commands = parser.add_subparsers(dest="command", required=True)
    adding = commands.add_parser("add", help="create students (and an instructor)")
    adding.add_argument("students", nargs="*", help="the students' login names")
    adding.add_argument("--instructor", help="the instructor's login name")
    adding.add_argument("--passwords", type=Path, help="a file of name:password lines")
    removing = commands.add_parser("remove", help="delete users and their home folders")
    removing.add_argument("names", nargs="+")
    args = parser.parse_args()
    if args.command == "add":
        if not args.students and not args.instructor:
            fail('name the users: make hub-users STUDENTS="ana ben" INSTRUCTOR=teacher')
        add(args.students, args.instructor, read_passwords(args.passwords))
    else:
        remove(args.names)
