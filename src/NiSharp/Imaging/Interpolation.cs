namespace NiSharp.Imaging;

/// <summary>How values between voxel centres are estimated, as nilearn's <c>interpolation=</c>.</summary>
public enum Interpolation
{
    /// <summary>The nearest voxel's value (spline order 0); the datatype is kept, so labels stay labels.</summary>
    Nearest,
    /// <summary>Trilinear (spline order 1).</summary>
    Linear,
    /// <summary>Cubic B-spline with the spline prefilter (order 3), nilearn's default.</summary>
    Continuous,
}

/// <summary>Parsing and naming of <see cref="Interpolation"/> values.</summary>
public static class Interpolations
{
    /// <summary>The spline order scipy uses: 0, 1 or 3.</summary>
    public static int Order(this Interpolation i) => i switch
    {
        Interpolation.Nearest => 0,
        Interpolation.Linear => 1,
        _ => 3,
    };

    /// <summary>nilearn's name: <c>nearest</c>, <c>linear</c>, <c>continuous</c>.</summary>
    public static string Name(this Interpolation i) => i switch
    {
        Interpolation.Nearest => "nearest",
        Interpolation.Linear => "linear",
        _ => "continuous",
    };

    /// <summary>Parses nilearn's names (<c>cubic</c> is accepted for continuous).</summary>
    public static Interpolation Parse(string s) => s.Trim().ToLowerInvariant() switch
    {
        "nearest" => Interpolation.Nearest,
        "linear" => Interpolation.Linear,
        "continuous" or "cubic" => Interpolation.Continuous,
        _ => throw new NiSharpException($"unknown interpolation '{s}' (use nearest, linear or continuous)"),
    };
}
