// Package calendar does the pure day counting behind case deadlines of the
// French family-benefit offices (Caf): adding calendar or working days,
// adding months (e.g. the two-month implicit rejection of the CRPA), and
// counting days between two instants.
//
// All dates are taken in Europe/Paris; instants are returned in UTC. Working
// days are Monday to Friday, excluding the public holidays of metropolitan
// France as defined by github.com/rickar/cal/v2/fr (which includes Whit
// Monday).
//
// The package is called from Temporal workflow code, so it must stay
// deterministic: it never reads the clock (callers pass workflow.Now) and
// holds no mutable state. It must not import frameworks (Temporal, GORM,
// Gin, ...): only the standard library and rickar/cal/v2.
package calendar
