// Package policies holds the Casbin model and the role permissions, embedded
// in the binary. Who holds which role in which Caf lives in the database.
package policies

import _ "embed"

// Model is the Casbin model: RBAC with domains, the domain being the Caf.
//
//go:embed model.conf
var Model string

// Permissions lists what each role may do: the seed of the casbin_rules
// table, loaded the first time; afterwards the rules live in the database.
//
//go:embed policy.csv
var Permissions string
