using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Pipeline;

/// <summary>Tissue classes the demo derives from the template's T1 intensity.</summary>
internal enum DemoTissue : byte
{
    Outside = 0,
    Csf = 1,
    GreyMatter = 2,
    WhiteMatter = 3,
}

/// <summary>
/// What every demo subject shares: the MNI152NLin2009cAsym grid at the chosen voxel size, and on it the
/// bundled MNI template (brain fraction per voxel, tissue classes, EPI-like contrast) and the relabelled Yeo
/// atlas (nearest neighbour), both resampled with <see cref="Resampling"/>. Per voxel of the support (where the
/// BOLD data are non-zero) it keeps what the signal model needs: region, tissue, neural gain, and the six
/// coefficients by which head motion (three translations, three rotations) changes the voxel's intensity
/// through the image gradient.
/// </summary>
internal sealed class DemoAnatomy
{
    /// <summary>The data grid.</summary>
    public required Grid Grid { get; init; }

    /// <summary>Fraction of each voxel inside the template's brain (0..1).</summary>
    public required float[] BrainFraction { get; init; }

    /// <summary>Tissue per voxel.</summary>
    public required DemoTissue[] Tissue { get; init; }

    /// <summary>The atlas on the grid.</summary>
    public required Atlas Atlas { get; init; }

    /// <summary>Atlas label ids that have voxels in the support, ascending: the planted regions.</summary>
    public required int[] RegionLabels { get; init; }

    /// <summary>Voxel indices (x fastest) where the data are non-zero.</summary>
    public required int[] Support { get; init; }

    /// <summary>Per support voxel: the row of its region in <see cref="RegionLabels"/>, or −1.</summary>
    public required int[] SupportRegion { get; init; }

    /// <summary>Per support voxel: the baseline EPI intensity before the subject's scale (contrast × brain fraction).</summary>
    public required float[] SupportBaseline { get; init; }

    /// <summary>Per support voxel: the gain of the neural signal (a fixed texture).</summary>
    public required float[] SupportNeuralGain { get; init; }

    /// <summary>Per support voxel: how strongly spin-history motion spikes hit it: stronger at the edge of the brain, plus a
    /// smooth spatial pattern (so that nearby regions share their motion artefacts more than distant ones).</summary>
    public required float[] SupportSpikeGain { get; init; }

    /// <summary>Per support voxel: the drift gain.</summary>
    public required float[] SupportDriftGain { get; init; }

    /// <summary>Per support voxel, three values: its position from the centre of the brain divided by the largest such
    /// distance (the spatial patterns of white-matter noise).</summary>
    public required float[] SupportPosition { get; init; }

    /// <summary>Per support voxel, six values: d(intensity)/d(trans_x, trans_y, trans_z in mm, rot_x, rot_y, rot_z in rad),
    /// per unit of baseline scale: through the image gradient (residual misregistration) and through the receive coil's
    /// smooth sensitivity, which the head moves through (so the change is spatially smooth and not uniform).</summary>
    public required float[] SupportMotionGain { get; init; }

    /// <summary>The grid of the demo for a voxel size: the MNI152NLin2009cAsym box fMRIPrep resamples ds000030 into
    /// (65×77×49 at 3 mm, RAS), centred on the same point for other sizes.</summary>
    public static Grid GridFor(double voxelSize)
    {
        int nx = (int)Math.Round(195 / voxelSize), ny = (int)Math.Round(231 / voxelSize), nz = (int)Math.Round(147 / voxelSize);
        // The 3 mm box spans x −96..96, y −132..96, z −66..78 mm (49 slices cannot hold the template's whole
        // −72..82 mm height: the vertex and the base of the cerebellum are cut, as in many real acquisitions).
        double cx = 0, cy = -18, cz = 6;
        return new Grid(nx, ny, nz, Affine.Diagonal(voxelSize, voxelSize, voxelSize,
            cx - (nx - 1) * voxelSize / 2, cy - (ny - 1) * voxelSize / 2, cz - (nz - 1) * voxelSize / 2));
    }

    /// <summary>Builds the anatomy for <paramref name="options"/>.</summary>
    public static DemoAnatomy Create(DemoOptions options)
    {
        var grid = GridFor(options.VoxelSize);
        var template = Templates.Load("mni152");
        // Brain fraction: the template is skull-stripped, so "inside" is T1 > 0; linear resampling of the
        // indicator gives the partial volume of each coarse voxel.
        var indicator = new float[template.Data.Length];
        for (int v = 0; v < indicator.Length; v++) indicator[v] = template.Data[v] > 0 ? 1f : 0f;
        var inside = template.WithData(indicator);
        var fraction = Resampling.ResampleToGrid(inside, grid, Interpolation.Linear).Data;
        var t1 = Resampling.ResampleToGrid(template, grid, Interpolation.Linear).Data;
        var atlas = Atlas.Load("yeo7-relabeled").ResampleTo(grid);
        var labels = atlas.Image.Data;

        int n = grid.VoxelCount;
        var tissue = new DemoTissue[n];
        var baseline = new float[n];
        for (int v = 0; v < n; v++)
        {
            float f = Math.Clamp(fraction[v], 0f, 1f);
            fraction[v] = f;
            if (f < 0.05f) continue;
            float intensity = t1[v] / f; // undo the partial volume with the outside zeros
            tissue[v] = f < 0.5f ? DemoTissue.Outside : intensity < 115 ? DemoTissue.Csf : intensity > 200 ? DemoTissue.WhiteMatter : DemoTissue.GreyMatter;
            // T2*-weighted EPI contrast: CSF bright, white matter dark.
            float contrast = Math.Clamp(1.4f - 0.65f * intensity / 230f, 0.6f, 1.5f);
            baseline[v] = contrast * f;
        }

        var support = Enumerable.Range(0, n).Where(v => fraction[v] >= 0.05f).ToArray();
        var regionLabels = support.Select(v => labels[v]).Where(l => l != 0).Distinct().Order().ToArray();
        var rowOf = new Dictionary<int, int>();
        for (int i = 0; i < regionLabels.Length; i++) rowOf[regionLabels[i]] = i;

        var rng = new DemoRandom(options.Seed, stream: -2);
        int s = support.Length;
        var region = new int[s];
        var neural = new float[s];
        var spike = new float[s];
        var drift = new float[s];
        var motion = new float[s * 6];
        var (nx, ny, nz) = (grid.Nx, grid.Ny, grid.Nz);
        double vs = options.VoxelSize;
        // Positions relative to the centre of rotation (about the middle of the brain), in mm.
        var (cx, cy, cz) = (0.0, -18.0, 12.0);
        double maxRadius = 0;
        var radius = new double[s];
        var position = new double[3 * s];
        for (int k = 0; k < s; k++)
        {
            int v = support[k];
            region[k] = labels[v] != 0 ? rowOf[labels[v]] : -1;
            neural[k] = (float)rng.Uniform(0.7, 1.3);
            drift[k] = (float)rng.Uniform(0.5, 1.5);
            int i = v % nx, j = v / nx % ny, z = v / (nx * ny);
            var (x, y, w) = grid.Affine.Apply(i, j, z);
            double px = x - cx, py = y - cy, pz = w - cz;
            radius[k] = Math.Sqrt(px * px + py * py + pz * pz);
            (position[3 * k], position[3 * k + 1], position[3 * k + 2]) = (px, py, pz);
            maxRadius = Math.Max(maxRadius, radius[k]);
            // Intensity change under a small displacement δ is −∇S0·δ; a translation moves every voxel by the same
            // δ, a rotation ω by ω × p, so the gain of ω is p × ∇S0.
            double gx = Gradient(baseline, i, j, z, 1, 0, 0, nx, ny, nz) / vs;
            double gy = Gradient(baseline, i, j, z, 0, 1, 0, nx, ny, nz) / vs;
            double gz = Gradient(baseline, i, j, z, 0, 0, 1, nx, ny, nz) / vs;
            motion[6 * k + 0] = (float)-gx;
            motion[6 * k + 1] = (float)-gy;
            motion[6 * k + 2] = (float)-gz;
            motion[6 * k + 3] = (float)-(py * gz - pz * gy);
            motion[6 * k + 4] = (float)-(pz * gx - px * gz);
            motion[6 * k + 5] = (float)-(px * gy - py * gx);
        }
        // Motion artefacts that matter for QC (scaled by MotionArtifacts): smooth random fields over the brain. The
        // spin-history gain has a uniform part (which global signal regression removes) and a smooth part; the coil
        // sensitivity log B moves with the head, so a displacement δ changes a voxel by ∇log B · δ (a rotation ω moves
        // the voxel at p by ω × p, which gives the gain p × ∇log B).
        double art = options.MotionArtifacts;
        var (spikeField, _) = SmoothField(new DemoRandom(options.Seed, stream: -4), position, s);
        var coilRng = new DemoRandom(options.Seed, stream: -5);
        var (_, coilGradient) = SmoothField(coilRng, position, s);
        // Like a real receive field, log B has a large-scale slope (the same gradient everywhere: a translation along it
        // changes every region alike, which inflates all correlations) plus local variation (shared by nearby regions).
        var slope = new[] { coilRng.Gaussian(), coilRng.Gaussian(), coilRng.Gaussian() };
        double slopeNorm = Math.Sqrt(slope.Sum(x => x * x));
        for (int d = 0; d < 3; d++) slope[d] /= slopeNorm;
        for (int k = 0; k < s; k++)
        {
            spike[k] = (float)(art * (0.3 + radius[k] / maxRadius + SpikeFieldGain * spikeField[k]));
            double gx = CoilGradient * (CoilSlope * slope[0] + CoilLocal * coilGradient[3 * k]);
            double gy = CoilGradient * (CoilSlope * slope[1] + CoilLocal * coilGradient[3 * k + 1]);
            double gz = CoilGradient * (CoilSlope * slope[2] + CoilLocal * coilGradient[3 * k + 2]);
            double px = position[3 * k], py = position[3 * k + 1], pz = position[3 * k + 2];
            int v = support[k];
            double b = baseline[v] * art;
            motion[6 * k + 0] += (float)(b * gx);
            motion[6 * k + 1] += (float)(b * gy);
            motion[6 * k + 2] += (float)(b * gz);
            motion[6 * k + 3] += (float)(b * (py * gz - pz * gy));
            motion[6 * k + 4] += (float)(b * (pz * gx - px * gz));
            motion[6 * k + 5] += (float)(b * (px * gy - py * gx));
        }

        return new DemoAnatomy
        {
            Grid = grid,
            BrainFraction = fraction,
            Tissue = tissue,
            Atlas = atlas,
            RegionLabels = regionLabels,
            Support = support,
            SupportRegion = region,
            SupportBaseline = support.Select(v => baseline[v]).ToArray(),
            SupportNeuralGain = neural,
            SupportSpikeGain = spike,
            SupportDriftGain = drift,
            SupportMotionGain = motion,
            SupportPosition = position.Select(p => (float)(p / maxRadius)).ToArray(),
        };
    }

    /// <summary>Weight of the smooth pattern in the spin-history gain (the uniform part is about 1).</summary>
    private const double SpikeFieldGain = 0.3;

    /// <summary>
    /// RMS gradient of the motion-coupled log-intensity field, per mm: 0.3 (a 0.1 mm shift changes a voxel by about 3%).
    /// Deliberately strong — it stands for every position-dependent intensity change (coil sensitivity, partial volume at
    /// tissue edges, interpolation) of the demo's small head motions — so that a small cohort shows QC-FC on raw data.
    /// Being linear in the motion parameters, any strategy with motion regressors removes it exactly.
    /// </summary>
    private const double CoilGradient = 0.3;

    /// <summary>Weights of the coil field's uniform slope and of its local variation (RMS 1 each).</summary>
    private const double CoilSlope = 0.7, CoilLocal = 0.7;

    /// <summary>
    /// A smooth random field over the support voxels (positions in mm, three per voxel): a sum of 40 Gaussian blobs
    /// (σ 25 mm, so that regions a few centimetres apart share little of it) of random sign centred in the brain, standardised to mean 0 and SD 1; and its gradient per mm scaled so
    /// that the RMS gradient magnitude is 1.
    /// </summary>
    private static (double[] Values, double[] Gradient) SmoothField(DemoRandom rng, double[] position, int s)
    {
        const int blobs = 40;
        const double sigma = 25;
        double[] lo = [double.MaxValue, double.MaxValue, double.MaxValue], hi = [double.MinValue, double.MinValue, double.MinValue];
        for (int k = 0; k < s; k++)
            for (int d = 0; d < 3; d++) { lo[d] = Math.Min(lo[d], position[3 * k + d]); hi[d] = Math.Max(hi[d], position[3 * k + d]); }
        var centre = new double[3 * blobs];
        var amplitude = new double[blobs];
        for (int b = 0; b < blobs; b++)
        {
            for (int d = 0; d < 3; d++) centre[3 * b + d] = rng.Uniform(lo[d], hi[d]);
            amplitude[b] = rng.Gaussian();
        }
        var values = new double[s];
        var gradient = new double[3 * s];
        for (int k = 0; k < s; k++)
            for (int b = 0; b < blobs; b++)
            {
                double dx = position[3 * k] - centre[3 * b], dy = position[3 * k + 1] - centre[3 * b + 1], dz = position[3 * k + 2] - centre[3 * b + 2];
                double g = amplitude[b] * Math.Exp(-(dx * dx + dy * dy + dz * dz) / (2 * sigma * sigma));
                values[k] += g;
                gradient[3 * k] -= g * dx / (sigma * sigma);
                gradient[3 * k + 1] -= g * dy / (sigma * sigma);
                gradient[3 * k + 2] -= g * dz / (sigma * sigma);
            }
        double mean = values.Average();
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / s);
        double rms = Math.Sqrt(gradient.Sum(v => v * v) / s);
        for (int k = 0; k < s; k++) values[k] = sd > 0 ? (values[k] - mean) / sd : 0;
        for (int i = 0; i < gradient.Length; i++) gradient[i] = rms > 0 ? gradient[i] / rms : 0;
        return (values, gradient);
    }

    /// <summary>Central difference (one-sided at the border) of <paramref name="a"/> along one axis, per voxel.</summary>
    private static double Gradient(float[] a, int i, int j, int k, int di, int dj, int dk, int nx, int ny, int nz)
    {
        int Index(int x, int y, int z) => x + nx * (y + ny * z);
        bool Inside(int x, int y, int z) => x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz;
        bool hasNext = Inside(i + di, j + dj, k + dk), hasPrev = Inside(i - di, j - dj, k - dk);
        double next = hasNext ? a[Index(i + di, j + dj, k + dk)] : a[Index(i, j, k)];
        double prev = hasPrev ? a[Index(i - di, j - dj, k - dk)] : a[Index(i, j, k)];
        return (next - prev) / ((hasNext ? 1 : 0) + (hasPrev ? 1 : 0));
    }
}
