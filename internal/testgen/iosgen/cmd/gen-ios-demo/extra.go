package main

import "github.com/spyscan/spyscan/internal/testgen/iosgen"

// extraFiles returns artifact fixtures (SMS, Safari, ...) to add to the
// demo backup. Empty until internal/testgen/iosdata provides them.
func extraFiles() []iosgen.File { return nil }
