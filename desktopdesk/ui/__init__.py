"""The Qt desktop shell: the only package that imports QtWidgets and QtGui."""
