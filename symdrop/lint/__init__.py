"""lint-export: the LMS exports in a folder read back and graded as their targets grade them."""
