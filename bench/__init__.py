"""`make bench`: the whole pipeline timed at the group's scale, against a hand-written floor and pandas."""
