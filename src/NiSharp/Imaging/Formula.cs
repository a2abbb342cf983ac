using System.Globalization;

namespace NiSharp.Imaging;

/// <summary>
/// A parsed image formula (<c>a*b</c>, <c>1-x</c>, <c>a == 44</c>,
/// <c>where(m &gt; 0, mean(img) / std(img), 0)</c>): our own small grammar, never evaluated as code.
/// </summary>
/// <remarks>
/// <para>Grammar, loosest binding first (python's precedence):</para>
/// <code>
/// or     := and ('or' and)*
/// and    := not ('and' not)*
/// not    := 'not' not | cmp
/// cmp    := sum (('=='|'!='|'&lt;'|'&lt;='|'&gt;'|'&gt;=') sum)?
/// sum    := prod (('+'|'-') prod)*
/// prod   := unary (('*'|'/') unary)*
/// unary  := ('-'|'+') unary | power
/// power  := atom ('**' unary)?
/// atom   := NUMBER | NAME | NAME '(' args ')' | '(' or ')'
/// args   := or (',' or)* [',' 'axis' '=' ('-1'|'3')]
/// </code>
/// <para>Function names may carry numpy's <c>np.</c> prefix so that nilearn formulas such as
/// <c>np.mean(img, axis=-1)</c> work unchanged.</para>
/// </remarks>
public sealed class Formula
{
    /// <summary>The text as given.</summary>
    public string Text { get; }

    internal FormulaNode Root { get; }

    private Formula(string text, FormulaNode root)
    {
        Text = text;
        Root = root;
    }

    /// <summary>The functions a formula may call.</summary>
    public static IReadOnlyList<string> Functions { get; } =
        ["abs", "sqrt", "exp", "log", "min", "max", "where", "mean", "std", "minimum", "maximum"];

    /// <summary>Parses <paramref name="text"/>; a syntax error or an unknown function is a <see cref="NiSharpException"/>.</summary>
    public static Formula Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new NiSharpException("empty formula");
        var p = new Parser(text);
        var root = p.ParseAll();
        return new Formula(text, root);
    }

    /// <summary>The image names the formula uses, in order of first use.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            var list = new List<string>();
            void Walk(FormulaNode n)
            {
                switch (n)
                {
                    case NameNode v when !list.Contains(v.Name): list.Add(v.Name); break;
                    case UnaryNode u: Walk(u.Operand); break;
                    case BinaryNode b: Walk(b.Left); Walk(b.Right); break;
                    case CallNode c: foreach (var a in c.Args) Walk(a); break;
                }
            }
            Walk(Root);
            return list;
        }
    }

    /// <summary>Whether the result is a truth value (a comparison or <c>and</c>/<c>or</c>/<c>not</c>): a mask.</summary>
    public bool IsBoolean => Root switch
    {
        BinaryNode b => b.Op is FormulaOp.Eq or FormulaOp.Ne or FormulaOp.Lt or FormulaOp.Le or FormulaOp.Gt or FormulaOp.Ge or FormulaOp.And or FormulaOp.Or,
        UnaryNode u => u.Op == FormulaOp.Not,
        _ => false,
    };

    /// <inheritdoc />
    public override string ToString() => Text;

    private enum Tok { Number, Name, Op, LParen, RParen, Comma, Assign, End }

    private sealed class Parser
    {
        private readonly string _s;
        private int _pos;
        private Tok _tok;
        private string _text = "";
        private int _start;

        public Parser(string s)
        {
            _s = s;
            Next();
        }

        private NiSharpException Error(string problem, int? at = null) =>
            new($"formula '{_s}': {problem} at position {(at ?? _start) + 1}");

        private void Next()
        {
            while (_pos < _s.Length && char.IsWhiteSpace(_s[_pos])) _pos++;
            _start = _pos;
            if (_pos >= _s.Length) { _tok = Tok.End; _text = ""; return; }
            char c = _s[_pos];
            if (char.IsDigit(c) || (c == '.' && _pos + 1 < _s.Length && char.IsDigit(_s[_pos + 1])))
            {
                int p = _pos;
                while (p < _s.Length && (char.IsDigit(_s[p]) || _s[p] == '.')) p++;
                if (p < _s.Length && (_s[p] == 'e' || _s[p] == 'E'))
                {
                    int q = p + 1;
                    if (q < _s.Length && (_s[q] == '+' || _s[q] == '-')) q++;
                    if (q < _s.Length && char.IsDigit(_s[q]))
                    {
                        p = q;
                        while (p < _s.Length && char.IsDigit(_s[p])) p++;
                    }
                }
                _text = _s[_pos..p];
                _pos = p;
                _tok = Tok.Number;
                return;
            }
            if (char.IsLetter(c) || c == '_')
            {
                int p = _pos;
                while (p < _s.Length && (char.IsLetterOrDigit(_s[p]) || _s[p] == '_' || _s[p] == '.')) p++;
                _text = _s[_pos..p];
                _pos = p;
                _tok = Tok.Name;
                return;
            }
            string two = _pos + 1 < _s.Length ? _s.Substring(_pos, 2) : "";
            if (two is "==" or "!=" or "<=" or ">=" or "**")
            {
                _text = two; _pos += 2; _tok = Tok.Op; return;
            }
            _pos++;
            _text = c.ToString();
            _tok = c switch
            {
                '+' or '-' or '*' or '/' or '<' or '>' => Tok.Op,
                '(' => Tok.LParen,
                ')' => Tok.RParen,
                ',' => Tok.Comma,
                '=' => Tok.Assign,
                _ => throw Error($"unexpected character '{c}'"),
            };
        }

        private bool IsOp(string op) => _tok == Tok.Op && _text == op;
        private bool IsWord(string w) => _tok == Tok.Name && _text == w;

        public FormulaNode ParseAll()
        {
            var n = ParseOr();
            if (_tok != Tok.End) throw Error($"unexpected '{_text}'");
            return n;
        }

        private FormulaNode ParseOr()
        {
            var left = ParseAnd();
            while (IsWord("or"))
            {
                int at = _start; Next();
                left = new BinaryNode(at, FormulaOp.Or, left, ParseAnd());
            }
            return left;
        }

        private FormulaNode ParseAnd()
        {
            var left = ParseNot();
            while (IsWord("and"))
            {
                int at = _start; Next();
                left = new BinaryNode(at, FormulaOp.And, left, ParseNot());
            }
            return left;
        }

        private FormulaNode ParseNot()
        {
            if (IsWord("not"))
            {
                int at = _start; Next();
                return new UnaryNode(at, FormulaOp.Not, ParseNot());
            }
            return ParseComparison();
        }

        private FormulaNode ParseComparison()
        {
            var left = ParseSum();
            if (_tok == Tok.Op && _text is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                var op = _text switch
                {
                    "==" => FormulaOp.Eq, "!=" => FormulaOp.Ne, "<" => FormulaOp.Lt,
                    "<=" => FormulaOp.Le, ">" => FormulaOp.Gt, _ => FormulaOp.Ge,
                };
                int at = _start; Next();
                var right = ParseSum();
                if (_tok == Tok.Op && _text is "==" or "!=" or "<" or "<=" or ">" or ">=")
                    throw Error("chained comparisons are not supported; combine them with 'and'");
                return new BinaryNode(at, op, left, right);
            }
            return left;
        }

        private FormulaNode ParseSum()
        {
            var left = ParseProduct();
            while (IsOp("+") || IsOp("-"))
            {
                var op = _text == "+" ? FormulaOp.Add : FormulaOp.Sub;
                int at = _start; Next();
                left = new BinaryNode(at, op, left, ParseProduct());
            }
            return left;
        }

        private FormulaNode ParseProduct()
        {
            var left = ParseUnary();
            while (IsOp("*") || IsOp("/"))
            {
                var op = _text == "*" ? FormulaOp.Mul : FormulaOp.Div;
                int at = _start; Next();
                left = new BinaryNode(at, op, left, ParseUnary());
            }
            return left;
        }

        private FormulaNode ParseUnary()
        {
            if (IsOp("-"))
            {
                int at = _start; Next();
                return new UnaryNode(at, FormulaOp.Neg, ParseUnary());
            }
            if (IsOp("+"))
            {
                Next();
                return ParseUnary();
            }
            return ParsePower();
        }

        private FormulaNode ParsePower()
        {
            var atom = ParseAtom();
            if (IsOp("**"))
            {
                int at = _start; Next();
                return new BinaryNode(at, FormulaOp.Pow, atom, ParseUnary());
            }
            return atom;
        }

        private FormulaNode ParseAtom()
        {
            int at = _start;
            switch (_tok)
            {
                case Tok.Number:
                {
                    if (!double.TryParse(_text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                        throw Error($"invalid number '{_text}'");
                    Next();
                    return new NumberNode(at, v);
                }
                case Tok.LParen:
                {
                    Next();
                    var inner = ParseOr();
                    if (_tok != Tok.RParen) throw Error("missing ')'");
                    Next();
                    return inner;
                }
                case Tok.Name:
                {
                    var name = _text;
                    if (name is "and" or "or" or "not") throw Error($"'{name}' needs an operand before it");
                    Next();
                    if (_tok == Tok.LParen) return ParseCall(name, at);
                    if (name.Contains('.')) throw Error($"unknown name '{name}'", at);
                    return new NameNode(at, name);
                }
                case Tok.End:
                    throw Error("the formula ends too early");
                default:
                    throw Error($"unexpected '{_text}'");
            }
        }

        private FormulaNode ParseCall(string rawName, int at)
        {
            bool numpy = rawName.StartsWith("np.", StringComparison.Ordinal) || rawName.StartsWith("numpy.", StringComparison.Ordinal);
            string fn = numpy ? rawName[(rawName.IndexOf('.') + 1)..] : rawName;
            fn = fn switch { "amin" => "min", "amax" => "max", "absolute" => "abs", _ => fn };
            if (!Functions.Contains(fn))
                throw Error($"unknown function '{rawName}' (known: {string.Join(", ", Functions)})", at);
            Next(); // '('
            var args = new List<FormulaNode>();
            int? axis = null;
            if (_tok != Tok.RParen)
            {
                while (true)
                {
                    if (_tok == Tok.Name && _text == "axis")
                    {
                        int axAt = _start;
                        Next();
                        if (_tok != Tok.Assign) throw Error("expected '=' after 'axis'");
                        Next();
                        bool neg = false;
                        if (IsOp("-")) { neg = true; Next(); }
                        if (_tok != Tok.Number || !int.TryParse(_text, NumberStyles.None, CultureInfo.InvariantCulture, out var ax))
                            throw Error("axis must be -1 (time)");
                        axis = neg ? -ax : ax;
                        if (axis is not (-1 or 3)) throw Error($"only axis=-1 (time) is supported, got axis={axis}", axAt);
                        Next();
                    }
                    else
                    {
                        if (axis is not null) throw Error("positional argument after axis=");
                        args.Add(ParseOr());
                    }
                    if (_tok == Tok.Comma) { Next(); continue; }
                    break;
                }
            }
            if (_tok != Tok.RParen) throw Error($"missing ')' after the arguments of {rawName}");
            Next();

            bool reduction = fn is "mean" or "std" || (fn is "min" or "max" && args.Count == 1);
            if (reduction)
            {
                if (args.Count != 1) throw Error($"{rawName} takes one image", at);
                // numpy reduces over the whole array without an axis; we only reduce over time, so say so.
                if (numpy && axis is null)
                    throw Error($"{rawName} without axis=-1 would reduce over the whole image in numpy; write {fn}(x) or {rawName}(x, axis=-1) for the {fn} over time", at);
                var op = fn switch { "mean" => FormulaOp.MeanT, "std" => FormulaOp.StdT, "min" => FormulaOp.MinT, _ => FormulaOp.MaxT };
                return new CallNode(at, op, rawName, args);
            }
            if (axis is not null) throw Error($"{rawName} does not take an axis", at);
            (FormulaOp op2, int arity) = fn switch
            {
                "abs" => (FormulaOp.Abs, 1),
                "sqrt" => (FormulaOp.Sqrt, 1),
                "exp" => (FormulaOp.Exp, 1),
                "log" => (FormulaOp.Log, 1),
                "min" or "minimum" => (FormulaOp.Min, 2),
                "max" or "maximum" => (FormulaOp.Max, 2),
                "where" => (FormulaOp.Where, 3),
                _ => throw Error($"unknown function '{rawName}'", at),
            };
            if (args.Count != arity)
                throw Error($"{rawName} takes {arity} argument{(arity == 1 ? "" : "s")}, got {args.Count}", at);
            return new CallNode(at, op2, rawName, args);
        }
    }
}

internal enum FormulaOp
{
    Add, Sub, Mul, Div, Pow, Eq, Ne, Lt, Le, Gt, Ge, And, Or, Neg, Not,
    Abs, Sqrt, Exp, Log, Min, Max, Where, MeanT, StdT, MinT, MaxT,
}

internal abstract record FormulaNode(int Position);
internal sealed record NumberNode(int Position, double Value) : FormulaNode(Position);
internal sealed record NameNode(int Position, string Name) : FormulaNode(Position);
internal sealed record UnaryNode(int Position, FormulaOp Op, FormulaNode Operand) : FormulaNode(Position);
internal sealed record BinaryNode(int Position, FormulaOp Op, FormulaNode Left, FormulaNode Right) : FormulaNode(Position);
internal sealed record CallNode(int Position, FormulaOp Op, string Name, IReadOnlyList<FormulaNode> Args) : FormulaNode(Position);
