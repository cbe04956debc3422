"""The daily digest e-mail: a message per manager or director who asked for one, made of
sections (`sections.SECTIONS`), each a function that finds what needs their attention."""
