"""Names for demo people: common in the UK, none belonging to anyone in particular."""

GIVEN_NAMES = (
    "Aisha Amelia Ben Callum Chloe Daniel Deborah Ella Faisal Grace Hannah Harry Imran Isla "
    "Jack Jade Kwame Laura Leah Liam Maya Mohammed Nadia Niamh Oliver Olivia Priya Rhys Ruth "
    "Sam Sofia Tariq Thomas Uma Victoria Wiktor Yusuf Zara Zoe Patrick Siobhan Gareth Megan"
).split()
FAMILY_NAMES = (
    "Ahmed Ali Baker Begum Brown Campbell Clarke Davies Edwards Evans Green Hall Hughes Hussain "
    "Jackson James Johnson Jones Kaur Khan Kowalski Lewis Martin Morgan Murphy Nowak Okafor "
    "Patel Roberts Robinson Shah Singh Smith Taylor Thomas Thompson Walker Ward White Williams "
    "Wilson Wood Wright Young Mensah O'Brien MacDonald"
).split()
