// Package clientlib returns an *http.Client; package indirect uses it without importing net/http.
package clientlib

import "net/http"

func Default() *http.Client { return http.DefaultClient }
