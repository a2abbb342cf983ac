using NiSharp.Cli;

namespace NiSharp.Tests.Support;

/// <summary>Runs the <c>nisharp</c> command line in-process and captures what it prints.</summary>
public static class CliRunner
{
    /// <summary>The outcome of one invocation.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs <c>nisharp args…</c>.</summary>
    public static Result Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = NisharpCli.Run(args, o, e);
        return new Result(code, o.ToString(), e.ToString());
    }
}

/// <summary>Assertions on numbers with stated tolerances.</summary>
public static class Approx
{
    /// <summary>Asserts |a-e| ≤ atol + rtol·|e| element-wise (numpy allclose), reporting the worst element.</summary>
    public static void Equal(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rtol, double atol = 0, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = -1; double worstExcess = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            double excess = Math.Abs(a - e) - (atol + rtol * Math.Abs(e));
            if (!(excess <= 0) && (worst < 0 || excess > worstExcess)) { worst = i; worstExcess = excess; }
        }
        if (worst >= 0)
            Assert.Fail($"{what} element {worst}: expected {expected[worst]:R}, got {actual[worst]:R} (rtol {rtol}, atol {atol})");
    }
}
