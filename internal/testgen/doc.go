// Package testgen gathers spyscan's generators of synthetic acquisitions,
// one subpackage per kind of input (iosgen and iosdata: iOS backups, dumps
// and their artifacts; androidgen, androiddata and androidbrowser: Android
// acquisitions; netgen and netlog: captures and logs; hostile: the hostile
// corpus; reportgen: reports). Its tests check the generators themselves,
// in one test binary: output deterministic, planted values matching the
// embedded indicators and look-alikes matching none, committed demo inputs
// up to date. The generators are used only by tests, benchmarks and the
// commands that write demo/ and the bench inputs.
package testgen
