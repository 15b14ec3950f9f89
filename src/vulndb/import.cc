// PLACEHOLDER (being written now).
