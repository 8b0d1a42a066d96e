package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"

	"recours/web"
)

// TestStatic_FilesOnlyNoFolderListing: the assets are served; a folder,
// with or without its slash, is not found rather than listed.
func TestStatic_FilesOnlyNoFolderListing(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	(&web.Server{}).Mount(r)
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w
	}
	for _, path := range []string{"/ui/static/recours.css", "/ui/static/vendor/htmx.min.js"} {
		assert.Equal(t, http.StatusOK, get(path).Code, path)
	}
	for _, path := range []string{"/ui/static/", "/ui/static/vendor/", "/ui/static/vendor", "/ui/static/./vendor/",
		"/ui/static/../ui.go", "/ui/static/nothing.css"} {
		w := get(path)
		assert.Equal(t, http.StatusNotFound, w.Code, path)
		assert.NotContains(t, w.Body.String(), "htmx.min.js", "%s: no listing", path)
		assert.NotContains(t, w.Body.String(), "<pre>", path)
	}
}
