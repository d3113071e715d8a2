"""Developer tools that are not part of the program: the screenshot scripts."""
