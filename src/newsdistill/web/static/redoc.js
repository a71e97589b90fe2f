// ReDoc for /redoc, started from a file: the pages' Content-Security-Policy allows no inline script.
Redoc.init("/openapi.json", { disableSearch: false, hideDownloadButton: false }, document.getElementById("redoc"));
