// Browser tests only (mock.html): installs the fake backend, then starts the app, in that
// order. Two module scripts would do the same on the dev server, but in a bundle the app's
// module runs before the fake backend is in place, because both share one chunk.

import "./mock-setup";

void import("./main");
