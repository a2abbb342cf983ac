using MathNet.Numerics.Statistics;
using NiSharp.Connectome;
using NiSharp.Pipeline;

namespace NiSharp.Tests.Pipeline;

/// <summary>
/// The demo as the scientific check of the whole pipeline: what was planted comes back out of the lesson's analysis
/// (atlas, yeo2011 confounds, band-pass, correlation), the planted group difference is found, and a cohort without
/// one shows none.
/// </summary>
[Collection(PipelineCollection.Name)]
public class DemoScienceTests(DemoCohorts cohorts)
{
    [Fact]
    public void Recovered_parcel_correlations_match_the_planted_ones()
    {
        var ds = cohorts.Planted;
        var results = cohorts.PlantedResults;
        foreach (bool patients in new[] { false, true })
        {
            var matrices = ds.Participants.Where(p => p.IsPatient == patients)
                .Select(p => ConnectivityMatrix.Read(Directory.GetFiles(Path.Combine(results, $"sub-{p.Id}", "func"), "*_stat-pearsoncorrelation_relmat.tsv").Single()))
                .ToList();
            var planted = ds.Planted.For(patients);
            var labels = ds.Planted.Labels;
            var plantedEdges = new List<double>();
            var recovered = new List<double>();
            for (int i = 0; i < labels.Count; i++)
                for (int j = 0; j < i; j++)
                {
                    var values = matrices.Select(m => m.Values[m.IndexOfLabel(labels[i]), m.IndexOfLabel(labels[j])]).ToList();
                    if (values.Any(double.IsNaN)) continue; // a region without voxels in some subject's mask
                    plantedEdges.Add(planted[i, j]);
                    recovered.Add(values.Average());
                }
            Assert.True(plantedEdges.Count > 300, $"only {plantedEdges.Count} edges with data");
            double r = Correlation.Pearson(plantedEdges, recovered);
            Assert.True(r >= 0.9, $"{(patients ? "patients" : "controls")}: recovered vs planted r = {r:0.000} over {plantedEdges.Count} edges");
        }
    }

    [Fact]
    public void The_planted_dmn_difference_is_detected_and_no_other_edge()
    {
        var summary = GroupLevel.Run(DemoCohorts.Options(cohorts.Planted.DataDirectory, cohorts.PlantedResults) with { Level = AnalysisLevel.Group, Reports = false });
        Assert.Equal(0, summary.ExitCode);
        Assert.Equal(("CONTROL", "SCHZ"), (summary.Group1, summary.Group2));
        var table = summary.Comparisons.Single().Table;
        var edge = table.Rows.Single(r => r.Feature.Name == "44-46");
        Assert.True(edge.Significant, $"44-46: difference {edge.Difference:0.000}, q {edge.PPermutationFdr:0.0000}");
        // Planted: 0.75 in controls, 0.25 in patients (the estimate is attenuated a little by noise and cleaning).
        Assert.InRange(edge.Difference, 0.3, 0.7);
        Assert.Equal([edge], table.Rows.Where(r => r.Significant));
    }

    [Fact]
    public void A_null_cohort_shows_no_difference_at_fdr_005()
    {
        var results = cohorts.NewFolder("null-results");
        var options = DemoCohorts.Options(cohorts.Null.DataDirectory, results) with { Reports = false };
        Assert.Equal(0, ParticipantLevel.Run(options).ExitCode);
        var summary = GroupLevel.Run(options with { Level = AnalysisLevel.Group });
        var table = summary.Comparisons.Single().Table;
        Assert.True(table.Rows.Count >= 20, $"{table.Rows.Count} edges");
        Assert.DoesNotContain(table.Rows, r => r.Significant);
        Assert.DoesNotContain(table.Rows, r => r.PFdr <= 0.05);
    }
}
