namespace NiSharp;

/// <summary>
/// nilearn's <c>AllVolumesRemovedError</c> (public since nilearn 0.13): the sample mask keeps no volume — every one
/// was censored as a motion outlier or a non-steady-state volume — so there is nothing left to clean. A user error
/// like any <see cref="NiSharpException"/>; catch this type to skip such a run.
/// </summary>
public sealed class AllVolumesRemovedException : NiSharpException
{
    /// <summary>An empty sample mask given to the cleaning.</summary>
    public AllVolumesRemovedException()
        : base("the sample mask removes every volume (all were censored as motion outliers or non-steady-state); nothing is left to clean")
    {
    }

    /// <summary>A confounds file whose censoring leaves no volume; the message reads <c>FILE: problem</c>.</summary>
    public AllVolumesRemovedException(string filePath, string problem) : base(filePath, problem)
    {
    }
}
