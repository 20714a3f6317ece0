"""Everything about the package is in pyproject.toml, except what TOML cannot say there.

The top-level ``resources/`` folder (icons, stylesheet, demo data) ships inside the package as
``automl_gui.resources``. A package-dir mapping needs the mapped packages in the package list,
and pyproject.toml takes either a fixed list or a ``find`` that cannot add a mapped folder, so
the list is built here: every package under ``automl_gui/`` plus ``resources/`` and each of its
folders (setuptools counts a data folder as a package), with all their files as package data.
"""

from setuptools import find_namespace_packages, find_packages, setup

RESOURCES = [
    "automl_gui.resources",
    *(
        f"automl_gui.resources.{name}"
        for name in find_namespace_packages("resources", exclude=["__pycache__", "*.__pycache__"])
    ),
]

setup(
    packages=[*find_packages(include=["automl_gui", "automl_gui.*"]), *RESOURCES],
    package_dir={"automl_gui.resources": "resources"},
    package_data={name: ["*"] for name in RESOURCES},
    exclude_package_data={name: ["*.pyc"] for name in RESOURCES},
)
