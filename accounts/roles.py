"""The names of the three roles. Their permissions are data (see the migrations that
create them) so an administrator can adjust them without code; access decisions never
look at these names, only at permissions."""

COORDINATOR = "Programmacoördinator"
LIAISON = "Gemeentelijke contactpersoon"
VIEWER = "Raadpleger"
