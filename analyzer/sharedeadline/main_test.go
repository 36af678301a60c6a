package sharedeadline_test

import (
	"os"
	"testing"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
)

func TestMain(m *testing.M) { os.Exit(linttest.Main(m)) }
