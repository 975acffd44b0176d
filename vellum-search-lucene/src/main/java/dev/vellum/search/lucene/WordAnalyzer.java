package dev.vellum.search.lucene;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.util.CharTokenizer;

/**
 * The full-text analyser: words are maximal runs of Unicode letters and numbers (the same {@code
 * [\p{L}\p{N}]} runs the query parser splits the {@code q} parameter into), lower-cased, with
 * diacritics folded ({@code é} → {@code e}). It keeps the behaviour of the earlier FTS5 index
 * ({@code unicode61 remove_diacritics 2}): {@code alice@example.com} is three words, so {@code
 * q=example} finds it. Query words pass through the same analyser, so both sides fold alike. Words
 * longer than 255 characters are split, on both sides.
 */
final class WordAnalyzer extends Analyzer {
  static boolean isWordChar(int cp) {
    if (Character.isLetter(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.DECIMAL_DIGIT_NUMBER
        || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }

  @Override
  protected TokenStreamComponents createComponents(String fieldName) {
    Tokenizer words = CharTokenizer.fromTokenCharPredicate(WordAnalyzer::isWordChar);
    TokenStream folded = new ASCIIFoldingFilter(new LowerCaseFilter(words));
    return new TokenStreamComponents(words, folded);
  }

  /** The indexed terms of {@code text}, in order. */
  List<String> terms(String field, String text) {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = tokenStream(field, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException("analysing a query word", e); // a String reader never throws
    }
    return out;
  }
}
