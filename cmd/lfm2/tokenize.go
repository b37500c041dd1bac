package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lfm2go/lfm2/internal/hub"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

func newTokenizeCmd(g *globals) *cobra.Command {
	var (
		file                       string
		noSpecial, asJSON, verbose bool
		chat                       bool
	)
	cmd := &cobra.Command{
		Use:   "tokenize [TEXT]",
		Short: "Show the token ids of a text, or render a conversation with the chat template",
		Long: "Tokenizes TEXT (or --file F, or stdin) with the model's tokenizer.json, adding special\n" +
			"tokens (BOS) as Hugging Face's tokenizer(text) does. With --chat the input is a JSON\n" +
			`conversation {"messages": [...], "tools": [...], "add_generation_prompt": true}` + "\n" +
			"rendered with the chat template. The model folder needs only tokenizer.json.",
		Example: `  lfm2 tokenize --model DIR "Hello world"
  lfm2 tokenize --model DIR --json --no-special "Hello world"
  echo '{"messages":[{"role":"user","content":"Hi"}],"add_generation_prompt":true}' | lfm2 tokenize --model DIR --chat`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tok, err := openTokenizer(g)
			if err != nil {
				return err
			}
			if file == "" && len(args) == 0 {
				file = "-"
			}
			text, err := inputText(file, args)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if chat {
				var conv tokenizer.Conversation
				if err := json.Unmarshal([]byte(text), &conv); err != nil {
					return fmt.Errorf("--chat: the input is not a JSON conversation: %w", err)
				}
				ct := tok.ChatTemplate()
				if ct == nil {
					return fmt.Errorf("--chat: the model has no chat template (tokenizer_config.json or chat_template.jinja)")
				}
				prompt, err := ct.Render(conv)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(out, map[string]any{"text": prompt, "ids": tok.Encode(prompt, false)})
				}
				fmt.Fprint(out, prompt)
				return nil
			}
			return writeTokens(out, tok, tok.Encode(text, !noSpecial), asJSON, verbose)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "read the input from a file (- for stdin)")
	cmd.Flags().BoolVar(&noSpecial, "no-special", false, "do not add special tokens (BOS)")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"ids": [...], "tokens": [...]} (with --chat: {"text", "ids"})`)
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "print each id with its token")
	cmd.Flags().BoolVar(&chat, "chat", false, "render a JSON conversation with the chat template")
	return g.register(cmd)
}

// writeTokens prints ids as they are formatted, never holding the whole
// output: a large file's ids as strings took several times its size.
func writeTokens(w io.Writer, tok *tokenizer.Tokenizer, ids []int32, asJSON, verbose bool) error {
	bw := bufio.NewWriter(w)
	var num []byte
	switch {
	case asJSON: // what writeJSON prints for {"ids": ids, "tokens": tokens}
		bw.WriteString(`{"ids":[`)
		for i, id := range ids {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.Write(strconv.AppendInt(num[:0], int64(id), 10))
		}
		bw.WriteString(`],"tokens":[`)
		var js bytes.Buffer
		enc := json.NewEncoder(&js)
		enc.SetEscapeHTML(false)
		for i, id := range ids {
			if i > 0 {
				bw.WriteByte(',')
			}
			js.Reset()
			if err := enc.Encode(tok.Token(id)); err != nil {
				return err
			}
			bw.Write(bytes.TrimSuffix(js.Bytes(), []byte("\n")))
		}
		bw.WriteString("]}\n")
	case verbose:
		for _, id := range ids {
			fmt.Fprintf(bw, "%d\t%q\n", id, tok.Token(id))
		}
	default:
		for i, id := range ids {
			if i > 0 {
				bw.WriteByte(' ')
			}
			bw.Write(strconv.AppendInt(num[:0], int64(id), 10))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// openTokenizer loads only the tokenizer of --model (no weights needed):
// a folder needs just tokenizer.json.
func openTokenizer(g *globals) (*tokenizer.Tokenizer, error) {
	// A folder needs only tokenizer.json (a folder of GGUF files resolves below).
	if _, err := os.Stat(filepath.Join(g.model, "tokenizer.json")); g.model != "" && err == nil && g.quant == "" {
		tok, err := loadTokenizerDir(g.model)
		if err != nil {
			return nil, err
		}
		return tok, g.applyChatTemplate(tok)
	}
	src, err := hub.Resolve(g.model, g.quant)
	if err != nil {
		return nil, err
	}
	var tok *tokenizer.Tokenizer
	if src.GGUF != "" {
		tok, err = ggufTokenizer(src.GGUF)
	} else if src.Synthetic != "" {
		tok, err = tokenizer.Builtin(strings.HasPrefix(src.Synthetic, "lfm2.5"))
	} else if _, err = os.Stat(filepath.Join(src.Dir, "tokenizer.json")); err != nil {
		return nil, fmt.Errorf("%s: no tokenizer.json", src.Dir)
	} else {
		tok, err = loadTokenizerDir(src.Dir)
	}
	if err != nil {
		return nil, err
	}
	return tok, g.applyChatTemplate(tok)
}

// loadTokenizerDir loads a folder's tokenizer with the backend this binary was built with.
func loadTokenizerDir(dir string) (*tokenizer.Tokenizer, error) {
	tok, err := tokenizer.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	return tok, useRustTokenizer(tok, dir)
}
