"""What pyproject.toml cannot say: the top-level ``resources/`` folder (profiles,
fonts, icons, licences, guides) is shipped inside the package as ``nmdesk.resources``.

Every file under ``resources/`` goes into the wheel (``package-data`` in
pyproject.toml), so a folder added there later needs no change here. Code finds
the files with ``importlib.resources`` (``nmdesk/paths.py``); an editable install
maps the same package name onto the checkout's ``resources/``.
"""

from setuptools import find_namespace_packages, find_packages, setup

RESOURCES = "nmdesk.resources"
# resources/' sub-folders, named as packages only so that setuptools does not warn
# about folders it sees as importable; their files come with the "**/*" pattern.
RESOURCE_FOLDERS = [
    f"{RESOURCES}.{name}"
    for name in find_namespace_packages(where="resources", exclude=["*__pycache__*"])
]

setup(
    packages=[
        *find_packages(include=["nmdesk", "nmdesk.*", "ui", "ui.*"]),
        RESOURCES,
        *RESOURCE_FOLDERS,
    ],
    package_dir={RESOURCES: "resources"},
)
