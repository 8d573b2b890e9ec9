namespace Sekisho.Model.Objects;

/// <summary>
/// DLP data identifiers and compliance templates that ship with Sekisho. Their ids start with
/// <see cref="IdPrefix"/> and are stable across versions; rules reference them like custom ones.
/// </summary>
public static class PredefinedDlp
{
    public const string IdPrefix = "predefined:";

    /// <summary>True when an id names a predefined identifier or template.</summary>
    public static bool IsPredefined(string id) => id.StartsWith(IdPrefix, StringComparison.Ordinal);

    public static readonly IReadOnlyList<DlpIdentifier> Identifiers =
    [
        new DlpExpression
        {
            Id = IdPrefix + "jp-my-number", Name = "マイナンバー (個人番号)",
            Description = "Japan individual number: 12 digits with a valid check digit",
            Pattern = @"(?<![0-9])[0-9]{4}[ \-]?[0-9]{4}[ \-]?[0-9]{4}(?![0-9])", Validator = DlpValidator.JpMyNumber,
        },
        new DlpExpression
        {
            Id = IdPrefix + "jp-corporate-number", Name = "法人番号",
            Description = "Japan corporate number: 13 digits with a valid check digit",
            Pattern = @"(?<![0-9])[1-9][0-9]{12}(?![0-9])", Validator = DlpValidator.JpCorporateNumber,
        },
        new DlpExpression
        {
            Id = IdPrefix + "payment-card-number", Name = "クレジットカード番号 (Payment card number)",
            Description = "Visa, Mastercard, American Express, JCB, Discover, Diners numbers passing the Luhn check",
            Pattern = @"(?<![0-9])(?:4[0-9]{3}|5[1-5][0-9]{2}|2[2-7][0-9]{2}|35[0-9]{2}|6011|65[0-9]{2})(?:[ \-]?[0-9]{4}){3}(?![0-9])|(?<![0-9])3[47][0-9]{2}[ \-]?[0-9]{6}[ \-]?[0-9]{5}(?![0-9])|(?<![0-9])3(?:0[0-5]|[68][0-9])[0-9][ \-]?[0-9]{6}[ \-]?[0-9]{4}(?![0-9])",
            Validator = DlpValidator.Luhn,
        },
        new DlpExpression
        {
            Id = IdPrefix + "jp-bank-account", Name = "銀行口座番号 (日本)",
            Description = "Japanese bank account: a 7-digit account number introduced by an account keyword",
            Pattern = @"(?:口座番号|口座No\.?|口座|普通預金|普通|当座預金|当座)\s*[:：]?\s*(?:No\.?\s*)?[0-9０-９]{7}(?![0-9０-９])",
        },
        new DlpExpression
        {
            Id = IdPrefix + "jp-phone-number", Name = "電話番号 (日本)",
            Description = "Japanese fixed and mobile phone numbers with separators, or mobile numbers without",
            Pattern = @"(?<![0-9])(?:0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}|\(0[0-9]{1,4}\)[0-9]{1,4}-[0-9]{4}|0[5789]0-?[0-9]{4}-?[0-9]{4}|\+81[ \-]?[1-9][0-9]{0,3}[ \-][0-9]{1,4}[ \-][0-9]{4})(?![0-9])",
        },
        new DlpExpression
        {
            Id = IdPrefix + "jp-postal-address", Name = "住所 (日本)",
            Description = "A Japanese postal code followed by a prefecture",
            Pattern = @"〒?\s?[0-9]{3}[\-－][0-9]{4}\s*(?:北海道|東京都|大阪府|京都府|(?:青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|神奈川|新潟|富山|石川|福井|山梨|長野|岐阜|静岡|愛知|三重|滋賀|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|香川|愛媛|高知|福岡|佐賀|長崎|熊本|大分|宮崎|鹿児島|沖縄)県)",
        },
        new DlpExpression
        {
            Id = IdPrefix + "iban", Name = "IBAN",
            Description = "International bank account number passing the mod-97 check",
            Pattern = @"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])", Validator = DlpValidator.Iban, CaseSensitive = true,
        },
        new DlpExpression
        {
            Id = IdPrefix + "us-ssn", Name = "US Social Security number",
            Description = "NNN-NN-NNNN, excluding never-issued ranges",
            Pattern = @"(?<![0-9])(?!000|666|9[0-9]{2})[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}(?![0-9])",
        },
        new DlpKeywordList
        {
            Id = IdPrefix + "jp-confidential-keywords", Name = "機密キーワード (日本語)",
            Keywords = ["社外秘", "極秘", "機密", "関係者外秘", "部外秘", "confidential"],
        },
    ];

    public static readonly IReadOnlyList<DlpTemplate> Templates =
    [
        Template("jp-my-number-template", "マイナンバー", "Japan: individual numbers", "jp-my-number"),
        Template("pci-dss", "PCI-DSS (クレジットカード番号)", "Payment card numbers", "payment-card-number"),
        Template("jp-bank-accounts", "銀行口座番号 (日本)", "Japan: bank account numbers", "jp-bank-account"),
        new DlpTemplate
        {
            Id = IdPrefix + "jp-personal-information", Name = "個人情報 (日本)", Description = "Japan: personal information (My Number, phone numbers, postal addresses, bank accounts)",
            Terms =
            [
                new(DlpOperator.First, IdPrefix + "jp-my-number"),
                new(DlpOperator.Or, IdPrefix + "jp-phone-number"),
                new(DlpOperator.Or, IdPrefix + "jp-postal-address"),
                new(DlpOperator.Or, IdPrefix + "jp-bank-account"),
            ],
        },
        Template("jp-corporate-numbers", "法人番号", "Japan: corporate numbers", "jp-corporate-number"),
        Template("iban-template", "IBAN", "International bank account numbers", "iban"),
        Template("us-ssn-template", "US Social Security numbers", "US: SSN", "us-ssn"),
    ];

    private static DlpTemplate Template(string id, string name, string description, string identifier) => new()
    {
        Id = IdPrefix + id, Name = name, Description = description,
        Terms = [new(DlpOperator.First, IdPrefix + identifier)],
    };

    /// <summary>A predefined template whose name or id matches (case-insensitive), for mapping InterScan's predefined templates.</summary>
    public static DlpTemplate? FindTemplateByName(string name) =>
        Templates.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)
                                      || string.Equals(t.Description, name, StringComparison.OrdinalIgnoreCase)
                                      || string.Equals(t.Id, IdPrefix + name, StringComparison.OrdinalIgnoreCase));

    public static DlpIdentifier? FindIdentifier(string id) => Identifiers.FirstOrDefault(i => i.Id == id);

    public static DlpTemplate? FindTemplate(string id) => Templates.FirstOrDefault(t => t.Id == id);
}

/// <summary>Check-digit validators for DLP matches.</summary>
public static class DlpChecks
{
    /// <summary>Runs the validator on a match (digits and letters only are considered).</summary>
    public static bool Passes(DlpValidator validator, string match) => validator switch
    {
        DlpValidator.None => true,
        DlpValidator.Luhn => Luhn(Digits(match)),
        DlpValidator.JpMyNumber => JpMyNumber(Digits(match)),
        DlpValidator.JpCorporateNumber => JpCorporateNumber(Digits(match)),
        DlpValidator.Iban => Iban(match),
        _ => false,
    };

    private static string Digits(string s) => new(s.Where(char.IsAsciiDigit).ToArray());

    /// <summary>Luhn (mod 10) checksum over a digit string.</summary>
    public static bool Luhn(string digits)
    {
        if (digits.Length < 12 || digits.Length > 19) return false;
        int sum = 0;
        bool dbl = false;
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = digits[i] - '0';
            if (dbl) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }

    /// <summary>
    /// マイナンバー check digit (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令 第八条):
    /// the 12th digit is 11 − (Σ Pn×Qn mod 11), or 0 when that remainder is ≤ 1; Pn is the n-th digit from the right
    /// (excluding the check digit) and Qn = n+1 for n ≤ 6, n−5 for n ≥ 7.
    /// </summary>
    public static bool JpMyNumber(string digits)
    {
        if (digits.Length != 12) return false;
        int sum = 0;
        for (int n = 1; n <= 11; n++)
        {
            int p = digits[11 - n] - '0';
            int q = n <= 6 ? n + 1 : n - 5;
            sum += p * q;
        }
        int r = sum % 11;
        int check = r <= 1 ? 0 : 11 - r;
        return digits[11] - '0' == check;
    }

    /// <summary>法人番号 check digit: the first digit is 9 − (Σ Pn×Qn mod 9), Qn = 1 for odd n, 2 for even n (n from the right of the 12 base digits).</summary>
    public static bool JpCorporateNumber(string digits)
    {
        if (digits.Length != 13) return false;
        int sum = 0;
        for (int n = 1; n <= 12; n++)
        {
            int p = digits[13 - n] - '0';
            sum += p * (n % 2 == 1 ? 1 : 2);
        }
        return digits[0] - '0' == 9 - sum % 9;
    }

    /// <summary>IBAN mod-97 check (ISO 13616).</summary>
    public static bool Iban(string text)
    {
        var s = new string(text.Where(char.IsAsciiLetterOrDigit).ToArray()).ToUpperInvariant();
        if (s.Length < 15 || s.Length > 34) return false;
        var rearranged = s[4..] + s[..4];
        int mod = 0;
        foreach (char c in rearranged)
        {
            int v = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            mod = v >= 10 ? (mod * 100 + v) % 97 : (mod * 10 + v) % 97;
        }
        return mod == 1;
    }
}
