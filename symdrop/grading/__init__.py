"""Taking answers back: reading students' numbers, checking them, naming the mistake."""
