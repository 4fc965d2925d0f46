# Notes on café opening hours, saved in Latin-1 by an old editor.
HOURS = {"lundi": "8-18", "mardi": "8-18"}
