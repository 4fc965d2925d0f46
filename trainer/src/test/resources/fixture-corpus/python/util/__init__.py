"""Small helpers shared by the fixture scripts."""
