"""Plots that both front ends draw (pyqtgraph on Qt): the window shows them, the command line
saves them as PNG files without a display. Imports neither front end (an import-linter
contract): ``style`` is the app's plot look, ``study`` the comparison study's plot."""
