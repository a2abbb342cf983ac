namespace NiSharp.Connectome;

/// <summary>The connectivity measures of nilearn's <c>ConnectivityMeasure(kind=…)</c>.</summary>
public enum ConnectivityKind
{
    /// <summary>Pearson correlation of the standardised signals (estimator applied after z-scoring).</summary>
    Correlation,
    /// <summary>−P<sub>ij</sub>/√(P<sub>ii</sub>P<sub>jj</sub>) from the precision P = C⁻¹, diagonal 1.</summary>
    PartialCorrelation,
    /// <summary>log(W·C·W) with W the inverse square root of the group's geometric mean covariance
    /// (Varoquaux et al. 2010); needs at least two subjects to fit.</summary>
    Tangent,
    /// <summary>The estimated covariance C.</summary>
    Covariance,
    /// <summary>The inverse covariance C⁻¹.</summary>
    Precision,
}

/// <summary>Names of <see cref="ConnectivityKind"/> as nilearn and the CLI spell them.</summary>
public static class ConnectivityKinds
{
    /// <summary>The CLI spelling: <c>correlation</c>, <c>partial-correlation</c>, <c>tangent</c>, <c>covariance</c>, <c>precision</c>.</summary>
    public static string CliName(this ConnectivityKind kind) => kind switch
    {
        ConnectivityKind.Correlation => "correlation",
        ConnectivityKind.PartialCorrelation => "partial-correlation",
        ConnectivityKind.Tangent => "tangent",
        ConnectivityKind.Covariance => "covariance",
        ConnectivityKind.Precision => "precision",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>nilearn's spelling (<c>'partial correlation'</c> with a space).</summary>
    public static string NilearnName(this ConnectivityKind kind) =>
        kind == ConnectivityKind.PartialCorrelation ? "partial correlation" : kind.CliName();

    /// <summary>Every kind's CLI name, in declaration order (for help and error messages).</summary>
    public static IReadOnlyList<string> All { get; } = Enum.GetValues<ConnectivityKind>().Select(k => k.CliName()).ToArray();

    /// <summary>Parses either spelling (also <c>partial_correlation</c>), case-insensitively.</summary>
    /// <exception cref="NiSharpException">Unknown name; the message lists the known ones.</exception>
    public static ConnectivityKind Parse(string name)
    {
        var key = name.Trim().ToLowerInvariant().Replace(' ', '-').Replace('_', '-');
        foreach (var k in Enum.GetValues<ConnectivityKind>())
            if (k.CliName() == key) return k;
        throw new NiSharpException($"unknown connectivity kind '{name}'; expected one of {string.Join(", ", All)}");
    }

    /// <summary>Whether values are correlations in [−1, 1] (so the Fisher z-transform applies).</summary>
    public static bool IsCorrelation(this ConnectivityKind kind) =>
        kind is ConnectivityKind.Correlation or ConnectivityKind.PartialCorrelation;
}
