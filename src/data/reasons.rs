//! Why a row was rejected, for tools and for people: each reason of
//! rejects.csv has a stable code (its `code` column) and a Chinese
//! wording (the workbook's 拒收记录). One table, matched on words in the
//! reason, keeps the three in step (first match wins); a reason the table does not
//! know gets the code `other` and keeps its English text.

/// (words of the English reason, code, Chinese reason), the more
/// specific first ("not a datetime" before "not a date").
const REASONS: &[(&str, &str, &str)] = &[
    ("empty value in a required column", "empty", "必填列为空"),
    (
        "objection must be one of",
        "bad_objection",
        "异议状态不是 待处理/成立/驳回/无 之一",
    ),
    ("not text", "bad_text", "不是文本"),
    (
        "a whole number out of range",
        "out_of_range",
        "整数超出范围",
    ),
    ("not a whole number", "bad_int", "不是整数"),
    ("not a number", "bad_number", "不是数值"),
    (
        "not a bool",
        "bad_bool",
        "不是是/否值（应为 是/否、true/false、1/0）",
    ),
    (
        "not a datetime",
        "bad_datetime",
        "不是日期时间（应为 2025-03-01 08:30）",
    ),
    (
        "not a date",
        "bad_date",
        "不是日期（应为 2025-03-01 或 2025/3/1）",
    ),
    ("unknown unit", "unknown_unit", "单位不在被考核单位名册中"),
    (
        "unit not in the unit register",
        "unknown_unit",
        "单位不在被考核单位名册中",
    ),
    (
        "duplicate key",
        "duplicate_key",
        "记录编号重复（前面已有同一编号的记录）",
    ),
    (
        "duplicate unit_id",
        "duplicate_unit",
        "单位编码重复（前面已有同一编码）",
    ),
    (
        "unbalanced quote",
        "bad_quote",
        "引号不配对，该行无法按 CSV 读取",
    ),
    ("more field", "too_many_fields", "字段数多于表头"),
    ("fewer field", "too_few_fields", "字段数少于表头"),
    ("names no record", "no_record", "异议所指记录不存在"),
    (
        "the record is charged to unit",
        "other_units_record",
        "异议所指记录属于其他单位，单位只能对本单位的记录提出异议",
    ),
    (
        "the record already has an objection",
        "duplicate_objection",
        "该记录已有异议登记（每条记录一行）",
    ),
    (
        "not a dataset of the scheme",
        "unknown_dataset",
        "数据集不在考核方案中",
    ),
    (
        "status must be one of",
        "bad_status",
        "处理状态不是 待处理/成立/驳回/无 之一",
    ),
    (
        "decided before the objection was filed",
        "bad_decision_date",
        "处理日期早于异议提出日期",
    ),
    (
        "declares no repaired_on column",
        "not_repairable",
        "该数据集没有信用修复日期（repaired_on）列，其记录不适用信用修复",
    ),
];

fn find(reason: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    REASONS.iter().find(|(en, _, _)| reason.contains(en))
}

/// The reason's code: `empty`, `bad_date`, `unknown_unit`, … or `other`.
pub fn code(reason: &str) -> &'static str {
    find(reason).map_or("other", |r| r.1)
}

/// The reason in Chinese, or as written if the table does not know it.
pub fn zh(reason: &str) -> String {
    find(reason).map_or_else(|| reason.to_string(), |r| r.2.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_of_the_readers_has_a_code_and_chinese() {
        use crate::data::records::reason;
        use crate::scheme::ColType;
        let samples = [
            reason(crate::data::parse::EMPTY, ColType::Int, "x", ""),
            reason(crate::data::parse::BAD, ColType::Int, "x", "1.5"),
            reason(
                crate::data::parse::BAD,
                ColType::Int,
                "x",
                "99999999999999999999",
            ),
            reason(crate::data::parse::BAD, ColType::Float, "x", "a"),
            reason(crate::data::parse::BAD, ColType::Bool, "x", "a"),
            reason(crate::data::parse::BAD, ColType::Date, "x", "a"),
            reason(crate::data::parse::BAD, ColType::Datetime, "x", "a"),
            reason(crate::data::parse::BAD, ColType::String, "objection", "a"),
            crate::data::csvscan::Problem::StrayQuote.reason(),
            crate::data::csvscan::Problem::FieldCount(5, 3).reason(),
            crate::data::csvscan::Problem::FieldCount(1, 3).reason(),
        ];
        let codes: Vec<&str> = samples.iter().map(|r| code(r)).collect();
        assert_eq!(
            codes,
            [
                "empty",
                "bad_int",
                "out_of_range",
                "bad_number",
                "bad_bool",
                "bad_date",
                "bad_datetime",
                "bad_objection",
                "bad_quote",
                "too_many_fields",
                "too_few_fields"
            ]
        );
        assert!(samples.iter().all(|r| zh(r) != *r));
        assert_eq!(code("something new"), "other");
        assert_eq!(zh("something new"), "something new");
    }
}
