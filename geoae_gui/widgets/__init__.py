"""Small reusable widgets: plots with export, the message bar, the run browser."""
