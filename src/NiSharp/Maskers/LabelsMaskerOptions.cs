using NiSharp.Atlases;
using NiSharp.Nifti;

namespace NiSharp.Maskers;

/// <summary>How the voxels of one region become one value per volume (nilearn's <c>strategy</c>,
/// one of the <c>scipy.ndimage</c> reductions).</summary>
public enum ReductionStrategy
{
    /// <summary><c>mean</c> (default).</summary>
    Mean,
    /// <summary><c>median</c> (the mean of the two middle values for an even count).</summary>
    Median,
    /// <summary><c>sum</c>.</summary>
    Sum,
    /// <summary><c>minimum</c>.</summary>
    Minimum,
    /// <summary><c>maximum</c>.</summary>
    Maximum,
    /// <summary><c>standard_deviation</c> (population, ddof 0).</summary>
    StandardDeviation,
    /// <summary><c>variance</c> (population, ddof 0).</summary>
    Variance,
}

/// <summary>
/// The parameters of nilearn's <c>NiftiLabelsMasker</c> (<see cref="LabelsMasker"/>), with its defaults:
/// <c>labels_img</c> and <c>labels</c> (the <see cref="Atlas"/>), <c>background_label=0</c>, <c>mask_img=None</c>,
/// <c>strategy='mean'</c>, and the cleaning of <see cref="MaskerOptions"/>; plus NiSharp's handling of empty
/// labels (<see cref="MaskerOptions.KeepEmpty"/>) and XCP-D's coverage threshold (<see cref="MinCoverage"/>).
/// All checks live in <see cref="Validate"/>.
/// </summary>
public sealed record LabelsMaskerOptions : MaskerOptions
{
    /// <summary><c>labels_img</c> and <c>labels</c>: the label image and the names (and networks) of its labels.</summary>
    public required Atlas Atlas { get; init; }

    /// <summary><c>background_label</c>: the value that is not a region (default 0).</summary>
    public int BackgroundLabel { get; init; }

    /// <summary><c>mask_img</c>: voxels outside it are left out of every region (resampled to the data
    /// grid with nearest interpolation when on another grid).</summary>
    public Image<byte>? MaskImg { get; init; }

    /// <summary>Where <see cref="MaskImg"/> came from, for messages and sidecars.</summary>
    public string? MaskSource { get; init; }

    /// <summary><c>strategy</c> (default mean).</summary>
    public ReductionStrategy Strategy { get; init; } = ReductionStrategy.Mean;

    /// <summary>
    /// XCP-D's <c>min_coverage</c>: a label whose voxels inside the mask on the data grid are fewer than this
    /// fraction of its size in the atlas (scaled to the data voxel volume) is treated as empty. Default 0: only
    /// labels with no voxel at all are empty, as in nilearn.
    /// </summary>
    public double MinCoverage { get; init; }

    /// <summary>Checks every parameter; throws <see cref="NiSharpException"/> naming the bad value.</summary>
    public LabelsMaskerOptions Validate()
    {
        if (Atlas is null) throw new NiSharpException("labels_img: an atlas is required");
        if (!(MinCoverage >= 0 && MinCoverage <= 1))
            throw new NiSharpException($"min_coverage must be a fraction between 0 and 1, got {F(MinCoverage)}");
        if (!Enum.IsDefined(Strategy)) throw new NiSharpException($"unknown strategy {Strategy}");
        if (MaskImg is { NDim: > 3, VolumeCount: > 1 })
            throw new NiSharpException($"{MaskSource ?? "mask_img"}: a mask must be 3D, got shape {MaskImg.ShapeText()}");
        ValidateCleaning();
        return this;
    }

    /// <summary>nilearn's name of a strategy.</summary>
    public static string Name(ReductionStrategy s) => s switch
    {
        ReductionStrategy.Median => "median",
        ReductionStrategy.Sum => "sum",
        ReductionStrategy.Minimum => "minimum",
        ReductionStrategy.Maximum => "maximum",
        ReductionStrategy.StandardDeviation => "standard_deviation",
        ReductionStrategy.Variance => "variance",
        _ => "mean",
    };

    /// <summary>The strategy names nilearn accepts.</summary>
    public static IReadOnlyList<string> StrategyNames { get; } = ["mean", "median", "sum", "minimum", "maximum", "standard_deviation", "variance"];

    /// <summary>Whether <paramref name="text"/> names a strategy.</summary>
    public static bool IsStrategyName(string text) => StrategyNames.Contains(text.Trim().ToLowerInvariant());

    /// <summary>Parses a strategy name (<c>mean</c>, <c>median</c>, …, <c>standard_deviation</c>, <c>variance</c>).</summary>
    public static ReductionStrategy ParseStrategy(string text) => text.Trim().ToLowerInvariant() switch
    {
        "mean" => ReductionStrategy.Mean,
        "median" => ReductionStrategy.Median,
        "sum" => ReductionStrategy.Sum,
        "minimum" => ReductionStrategy.Minimum,
        "maximum" => ReductionStrategy.Maximum,
        "standard_deviation" => ReductionStrategy.StandardDeviation,
        "variance" => ReductionStrategy.Variance,
        _ => throw new NiSharpException($"unknown strategy '{text}': use {string.Join(", ", StrategyNames)}"),
    };

    /// <inheritdoc />
    public override Dictionary<string, object?> ToParameters()
    {
        var d = base.ToParameters();
        d["masker"] = "NiftiLabelsMasker";
        d["labels_img"] = Atlas.ImageSource ?? Atlas.Name;
        d["labels"] = Atlas.Labels.Source ?? (Atlas.Info is null ? "label_N" : "bundled");
        d["background_label"] = BackgroundLabel;
        d["mask_img"] = MaskImg is null ? null : MaskSource ?? "given";
        d["strategy"] = Name(Strategy);
        d["min_coverage"] = MinCoverage;
        d["ensure_finite"] = "data: NaN and inf read as 0";
        return d;
    }
}
