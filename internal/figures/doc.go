// Package figures defines the figures of a Caf's claimant service: each
// measure, and what one file (or one overpayment notice) contributes to
// it. The measures are those a manager must read off the software for any
// period and any Caf, with the change from the previous period
// (DOMAIN.md, "What a year looks like"; the Caf de l'Ardèche's 2021 report
// in seeds/, "Les chiffres/résultats de l'année 2021" and its "Zoom" on
// the prevention of overpayments), and those the national commitments are
// held to (DOMAIN.md, "Deadlines and figures the software must make true";
// the socle national de la qualité de service). Days are counted as
// DOMAIN.md, "Counting days", says: Europe/Paris calendar days.
//
// A contribution is a count under a Key: the Caf, the measure, the Paris
// day it falls on, and, for a measure broken down by value, the value (a
// channel, an origin, a number of days). The figures of a period are sums
// of contributions over its days, so that a Caf-year is read from tens of
// thousands of sums instead of every file:
//
//   - the store keeps the files' contributions summed by key (its rollup),
//     in the transaction that writes a file's row: a new state's
//     contributions added, those of the state it replaces subtracted;
//   - the history import adds the contributions of the rows it writes;
//   - internal/reports asks the store for sums (Query, Sum) and turns them
//     into the published figures (counts, shares, medians, changes).
//
// All of them call this package, so that a figure has one definition. It
// is pure: no database, no clock, no framework; it imports the domain and
// the calendar only.
package figures
