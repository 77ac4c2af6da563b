//go:build !unix

package main

import (
	"errors"
	"hash"
	"os"
)

func hashMapped(*os.File, hash.Hash) error { return errors.New("-mmap is implemented on unix only") }
