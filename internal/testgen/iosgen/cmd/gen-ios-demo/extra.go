package main

import (
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// extraFiles returns the artifact fixtures (SMS, Safari, DataUsage, TCC,
// WebKit, WhatsApp, ...) of internal/testgen/iosdata, with planted hits and
// clean look-alikes, and a few hundred ordinary rows where it makes sense.
func extraFiles() []iosgen.File { return iosdata.All(200) }
