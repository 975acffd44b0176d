package dev.vellum.search.lucene;

import java.io.IOException;
import java.util.Objects;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.Weight;
import org.jspecify.annotations.Nullable;

/**
 * The documents of one tenant: the clause every search and count carries. It matches what a term
 * query on {@code tenant} matches, but a segment whose every document is the tenant's (on most
 * nodes, every segment: one tenant writes most of the events) is matched as a plain run of doc ids
 * instead of through the tenant's postings. A conjunction advances each clause to every candidate
 * of the most selective one, and advancing a posting list that holds every document of a 10 M
 * document index through its skip data was the largest cost of selective searches (JFR,
 * docs/benchmarks.md round 6).
 */
final class TenantQuery extends Query {
  private final Term term;

  TenantQuery(String tenant) {
    this.term = new Term(EventDocuments.TENANT, tenant);
  }

  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost)
      throws IOException {
    Weight postings = new TermQuery(term).createWeight(searcher, scoreMode, boost);
    return new ConstantScoreWeight(this, boost) {
      @Override
      public @Nullable Scorer scorer(LeafReaderContext context) throws IOException {
        int maxDoc = context.reader().maxDoc();
        int docFreq = docFreq(context);
        if (docFreq == 0) {
          return null;
        }
        if (docFreq == maxDoc) {
          return new ConstantScoreScorer(this, score(), scoreMode, DocIdSetIterator.all(maxDoc));
        }
        return postings.scorer(context);
      }

      /** As for a term query, which Lucene's query cache never caches: it is cheap already. */
      @Override
      public boolean isCacheable(LeafReaderContext ctx) {
        return false;
      }
    };
  }

  /** Documents in the segment with the tenant's term, deleted ones included (as maxDoc counts). */
  private int docFreq(LeafReaderContext context) throws IOException {
    Terms terms = context.reader().terms(term.field());
    if (terms == null) {
      return 0;
    }
    TermsEnum te = terms.iterator();
    return te.seekExact(term.bytes()) ? te.docFreq() : 0;
  }

  @Override
  public void visit(QueryVisitor visitor) {
    if (visitor.acceptField(term.field())) {
      visitor.consumeTerms(this, term);
    }
  }

  @Override
  public String toString(String field) {
    return "tenant:" + term.text();
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return sameClassAs(other) && term.equals(((TenantQuery) Objects.requireNonNull(other)).term);
  }

  @Override
  public int hashCode() {
    return classHash() ^ term.hashCode();
  }
}
