"""Placeholder entry point until the explorer lands (issue 4)."""

import sys


def main() -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv)
    label = QLabel("geoae explorer")
    label.show()
    return app.exec()
