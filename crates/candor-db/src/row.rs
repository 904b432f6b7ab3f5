//! Reading columns from `AnyRow`s the same way on both backends.

use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Row, ValueRef};

use crate::error::{DbError, Result};

pub(crate) trait RowExt {
    fn opt_text(&self, column: &str) -> Result<Option<String>>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>>;
    fn opt_real(&self, column: &str) -> Result<Option<f64>>;

    fn text(&self, column: &str) -> Result<String> {
        self.opt_text(column)?.ok_or_else(|| null_in(column))
    }

    fn int(&self, column: &str) -> Result<i64> {
        self.opt_int(column)?.ok_or_else(|| null_in(column))
    }

    fn real(&self, column: &str) -> Result<f64> {
        self.opt_real(column)?.ok_or_else(|| null_in(column))
    }

    /// A column holding one of our stored words (a state, a kind).
    fn word<T>(&self, column: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
        let text = self.text(column)?;
        parse(&text).ok_or_else(|| DbError::CorruptRow(format!("{column} holds {text:?}")))
    }
}

fn null_in(column: &str) -> DbError {
    DbError::CorruptRow(format!("{column} is NULL"))
}

impl RowExt for AnyRow {
    fn opt_text(&self, column: &str) -> Result<Option<String>> {
        let raw = self.try_get_raw(column)?;
        if raw.is_null() {
            return Ok(None);
        }
        // MySQL sends TEXT columns as BLOBs and the Any driver passes them on
        // as bytes; SQLite and VARCHAR columns arrive as text.
        if raw.type_info().kind() == AnyTypeInfoKind::Blob {
            let bytes: Vec<u8> = self.try_get(column)?;
            return String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| DbError::CorruptRow(format!("{column} is not UTF-8")));
        }
        Ok(self.try_get(column)?)
    }

    fn opt_int(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.try_get(column)?)
    }

    fn opt_real(&self, column: &str) -> Result<Option<f64>> {
        let raw = self.try_get_raw(column)?;
        if raw.is_null() {
            return Ok(None);
        }
        // SQLite hands back a REAL column's whole numbers as integers when
        // they were written as integers; accept both.
        if raw.type_info().kind().is_integer() {
            let whole: i64 = self.try_get(column)?;
            return Ok(Some(whole as f64));
        }
        Ok(Some(self.try_get(column)?))
    }
}
