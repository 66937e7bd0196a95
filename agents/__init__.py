"""Mesa agents (one class per kind of seat) and the policies that decide their orders."""
