'use strict';
/*
 * Sequelize 6 (Node.js), transparent mode (0.3.0): plain models on the tables
 * themselves (authors, posts, comments), no `paranoid` option, no view, after
 * softdelete.enable('authors', hide_deleted => true).
 *
 * What it asserts (exiting non-zero on the first wrong value):
 *
 * - Post.destroy({ where: { id } }) resolves to 1 (the DELETE on the table reports its
 *   row: the library is preloaded), then 0 the second time.
 * - findByPk() / findAll() no longer see the post; its comments are soft-deleted with
 *   the same timestamp (ON DELETE CASCADE), and the rows are still in the tables.
 * - instance.destroy() on an author cascades to the author's posts and their comments.
 * - Inside a sequelize.transaction() that fails, the soft delete rolls back too.
 * - The trash: Post.findAll() in a transaction after
 *   SET LOCAL softdelete.visibility = 'deleted'.
 * - Restore: in such a transaction, Post.update({ deletedAt: null }, ...) resolves to
 *   [1] and brings the comments of the same deletion event back.
 * - Author.upsert(..., { conflictFields: ['email'] }) (INSERT ... ON CONFLICT (email)):
 *   a deleted author's email gets a new author, whom the next upsert updates.
 *
 * Run by examples/run.sh (connection from PGHOST, PGPORT, PGUSER, PGDATABASE), after
 * `npm ci` in this directory.
 */
const assert = require('node:assert/strict');
const { Sequelize, DataTypes, Model } = require('sequelize');

const SCHEMA = `
CREATE TABLE authors (
    id    serial PRIMARY KEY,
    name  text NOT NULL,
    email text NOT NULL UNIQUE
);
CREATE TABLE posts (
    id        serial PRIMARY KEY,
    author_id integer NOT NULL REFERENCES authors ON DELETE CASCADE,
    title     text NOT NULL
);
CREATE TABLE comments (
    id      serial PRIMARY KEY,
    post_id integer NOT NULL REFERENCES posts ON DELETE CASCADE,
    body    text NOT NULL
);
SELECT softdelete.enable('authors', hide_deleted => true);   -- and posts, comments
`;

const sequelize = new Sequelize(process.env.PGDATABASE, process.env.PGUSER || 'app', null, {
    dialect: 'postgres',
    host: process.env.PGHOST, // a unix socket directory
    port: Number(process.env.PGPORT || 5432),
    logging: false,
});

class Author extends Model {}
Author.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: DataTypes.TEXT,
    email: DataTypes.TEXT,
}, { sequelize, tableName: 'authors', timestamps: false });

class Post extends Model {}
Post.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    authorId: { type: DataTypes.INTEGER, field: 'author_id' },
    title: DataTypes.TEXT,
    // written by the extension; mapped so that a restore is an update()
    deletedAt: { type: DataTypes.DATE, field: 'deleted_at' },
}, { sequelize, tableName: 'posts', timestamps: false });

class Comment extends Model {}
Comment.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    postId: { type: DataTypes.INTEGER, field: 'post_id' },
    body: DataTypes.TEXT,
}, { sequelize, tableName: 'comments', timestamps: false });

Author.hasMany(Post, { foreignKey: 'authorId' });
Post.hasMany(Comment, { foreignKey: 'postId' });

function check(what, got, expected) {
    try {
        assert.deepStrictEqual(got, expected);
    } catch (err) {
        console.log(`FAIL: ${what}: expected ${JSON.stringify(expected)},`
            + ` got ${JSON.stringify(got)}`);
        process.exit(1);
    }
    console.log(`ok: ${what}: ${JSON.stringify(got)}`);
}

// fn(transaction) in a transaction where softdelete.visibility = `visibility`.
function withVisibility(visibility, fn) {
    return sequelize.transaction(async (transaction) => {
        await sequelize.query(`SET LOCAL softdelete.visibility = '${visibility}'`,
            { transaction });
        return fn(transaction);
    });
}

// deleted_at of every row of a table, as text (microseconds kept), by id.
function deletedAt(table) {
    return withVisibility('all', async (transaction) => {
        const rows = await sequelize.query(
            `SELECT id, deleted_at::text AS d FROM ${table} ORDER BY id`,
            { type: Sequelize.QueryTypes.SELECT, transaction });
        return Object.fromEntries(rows.map((r) => [r.id, r.d]));
    });
}

async function ids(model, transaction) {
    return (await model.findAll({ order: [['id', 'ASC']], transaction })).map((r) => r.id);
}

async function main() {
    await sequelize.query(SCHEMA);

    const ann = await Author.create({ name: 'Ann', email: 'ann@example.com' });
    const ben = await Author.create({ name: 'Ben', email: 'ben@example.com' });
    const p1 = await Post.create({ authorId: ann.id, title: 'Soft deletes' });
    const p2 = await Post.create({ authorId: ben.id, title: 'Views' });
    const p3 = await Post.create({ authorId: ben.id, title: 'Indexes' });
    await Comment.bulkCreate([
        { postId: p1.id, body: 'nice' }, { postId: p1.id, body: 'typo in 2nd line' },
        { postId: p2.id, body: 'more please' }, { postId: p3.id, body: 'partial?' }]);
    check('created', [await ids(Author), await ids(Post), await ids(Comment)],
        [[1, 2], [1, 2, 3], [1, 2, 3, 4]]);

    // 1. Model.destroy() on the table: the real count.
    check('Post.destroy({ where: { id: 1 } })', await Post.destroy({ where: { id: p1.id } }), 1);
    check('destroying it again', await Post.destroy({ where: { id: p1.id } }), 0);
    check('Post.findByPk(1)', await Post.findByPk(p1.id), null);
    check('Post.findAll()', await ids(Post), [2, 3]);
    check('Comment.findAll()', await ids(Comment), [3, 4]);
    const posts = await deletedAt('posts');
    check('posts table: post 1 deleted', posts, { 1: posts[1], 2: null, 3: null });
    check('its comments, with the same timestamp', await deletedAt('comments'),
        { 1: posts[1], 2: posts[1], 3: null, 4: null });

    // 2. A failed transaction rolls the soft delete back.
    await assert.rejects(sequelize.transaction(async (transaction) => {
        check('destroy inside a transaction',
            await Post.destroy({ where: { id: p2.id }, transaction }), 1);
        throw new Error('rollback');
    }), /rollback/);
    check('after the rollback post 2 is active', await ids(Post), [2, 3]);

    // 3. instance.destroy() of an author: the database cascades.
    await (await Author.findByPk(ben.id)).destroy();
    check('Author.findAll()', await ids(Author), [1]);
    const authors = await deletedAt('authors');
    check('posts table: Ben\'s posts cascaded', await deletedAt('posts'),
        { 1: posts[1], 2: authors[2], 3: authors[2] });
    check('Post.findAll() and Comment.findAll()', [await ids(Post), await ids(Comment)],
        [[], []]);

    // 4. The trash: the same models under visibility 'deleted'.
    check('trash', await withVisibility('deleted', async (transaction) => [
        await ids(Author, transaction), await ids(Post, transaction)]), [[2], [1, 2, 3]]);

    // 5. Restore post 1 (Ann is active): its comments come back with it.
    check('Post.update({ deletedAt: null }) under visibility \'deleted\'',
        await withVisibility('deleted', (transaction) => Post.update(
            { deletedAt: null }, { where: { id: p1.id }, transaction })), [1]);
    const restored = await Post.findByPk(p1.id,
        { include: Comment, order: [[Comment, 'id', 'ASC']] });
    check('post 1 is back with its comments',
        [restored.title, restored.deletedAt, restored.Comments.map((c) => c.body)],
        ['Soft deletes', null, ['nice', 'typo in 2nd line']]);

    // 6. Upsert on the email: the deleted author's email is free, then taken.
    const upsert = async (name) => {
        const [author] = await Author.upsert({ name, email: 'ben@example.com' },
            { conflictFields: ['email'] });
        return [author.id, author.name];
    };
    check('upsert of a deleted author\'s email: a new author', await upsert('Ben (new)'),
        [3, 'Ben (new)']);
    check('upsert again: that author is updated', await upsert('Benjamin'),
        [3, 'Benjamin']);
    check('Author.findAll()', (await Author.findAll({ order: [['id', 'ASC']] }))
        .map((a) => [a.id, a.name]), [[1, 'Ann'], [3, 'Benjamin']]);

    await sequelize.close();
    console.log('sequelize transparent example: all assertions passed');
}

main().catch(async (err) => {
    console.error(err);
    await sequelize.close().catch(() => {});
    process.exit(1);
});
