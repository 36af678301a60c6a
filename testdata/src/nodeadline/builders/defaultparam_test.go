package builders

import (
	"net/http"
	"testing"
)

func TestTestedRPC(t *testing.T) {
	newTestedRPC(&http.Client{}).Subscribe()
}
