#pragma once
// The values erasure writes into a kept row (dsr-policy(5), "Masks"). Every
// mask keeps the column's type: an integer stays an integer, a date stays a
// date in the same textual shape or the same Unix unit, NOT NULL never gets
// NULL (dsr policy check refuses a null mask there; the plan refuses it too),
// and a UNIQUE column gets values that stay unique. NULL stays NULL under
// every mask: there is nothing personal in it.

#include <optional>
#include <string>
#include <string_view>

#include "crypto/secret.h"
#include "db/database.h"
#include "db/schema.h"
#include "policy/model.h"

namespace dsr::erase {

/// What a mask needs to know about the column it writes.
struct ColumnShape {
    db::TypeClass type = db::TypeClass::text;
    bool not_null = false;
    bool unique = false;
    /// How the column stores time, when a hold or retention rule of its table
    /// declares it; otherwise integers are read as Unix seconds, or
    /// milliseconds when too large to be seconds of a real date.
    std::optional<policy::TimeFormat> time_format;
};

/// The row a value belongs to. A UNIQUE column's redacted or generalised
/// value carries a keyed tag of the row so two rows never share it.
struct RowRef {
    std::string_view table;
    const db::Value& key;
};

/// The value `mask` writes in place of `original`. Pseudonyms use `key`
/// (the installation's pseudonym key) so equal inputs give equal outputs in
/// every table; `random` draws from libsodium.
db::Value mask_value(const policy::Mask& mask, const ColumnShape& column, const db::Value& original,
                     const crypto::SecretBytes& key, const RowRef& row);

/// A UNIQUE column's pseudonym when the plain one is already another row's
/// value (a subject who was erased, registered again with the same email,
/// and is erased again): keyed with the row as well.
db::Value row_pseudonym(const db::Value& original, const crypto::SecretBytes& key, const RowRef& row);

/// Whether `value` already has the form `mask` gives, so a second erasure
/// leaves it alone: NULL always; null, redact and generalize exactly;
/// pseudonymised text by its shape. nullopt when the form cannot be
/// recognised (random values, pseudonymised numbers and bytes).
std::optional<bool> in_masked_form(const policy::Mask& mask, const ColumnShape& column, const db::Value& value);

/// Whether in_masked_form can recognise this mask's output in `column`
/// (null always; redact and generalize unless the column is UNIQUE, redact
/// of text even then; pseudonymize only of text; random never). A row kept
/// masked is only left alone by a later run if one of its masks is.
bool recognisable(const policy::Mask& mask, const ColumnShape& column);

/// The pseudonym text for `original` text (the form `mask_value` gives a
/// TEXT value): `dsr-` and 32 hex digits, with `@erased.invalid` added when
/// the original looks like an email address, so email checks still pass.
std::string pseudonym_text(std::string_view original, const crypto::SecretBytes& key);

}  // namespace dsr::erase
