// Package jsonbody reads the JSON body of an API request: strictly (an
// unknown field, a field of the wrong type, data after the document are
// refused, the field at fault named in French, as an EINVALID error the
// API answers with a 400), into a domain type or one of the bodies the
// handlers read themselves.
//
// It imports only the domain, so that its fuzz targets, which decode
// untrusted bytes into every body the API takes and run what is done with
// them before anything is stored, build and run fast: no database, web or
// Temporal package.
package jsonbody
