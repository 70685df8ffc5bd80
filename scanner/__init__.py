"""Read filled-in forms and the spreadsheets that go with them."""
