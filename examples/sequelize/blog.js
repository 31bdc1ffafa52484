'use strict';
/*
 * Sequelize 6 (Node.js) on softdelete: models mapped to the active views, no
 * `paranoid` option, and destroy() becomes a recoverable soft delete.
 *
 * What it asserts (exiting non-zero on the first wrong value):
 *
 * - Post.destroy({ where: { id } }) resolves to 1: Sequelize's DELETE on posts_active
 *   reports the row, so code that checks "was it deleted?" keeps working. Destroying
 *   it again resolves to 0.
 * - The post leaves the view (findByPk() is null, findAll() skips it) and stays in
 *   the posts table with deleted_at set; its comments are soft-deleted through the
 *   ON DELETE CASCADE foreign key with the same timestamp (microseconds compared).
 * - instance.destroy() on an author cascades to the author's posts and their comments.
 * - Inside a sequelize.transaction() that fails, the soft delete rolls back too.
 * - The author's unique email is free again (partial unique index).
 * - Restore: PostRecord.update({ deletedAt: null }, ...) (a model on the base table)
 *   resolves to [1] and brings the comments of the same deletion event back.
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
SELECT softdelete.enable('authors');   -- and posts, comments (cascade => true)
`;

const sequelize = new Sequelize(process.env.PGDATABASE, process.env.PGUSER || 'app', null, {
    dialect: 'postgres',
    host: process.env.PGHOST, // a unix socket directory
    port: Number(process.env.PGPORT || 5432),
    logging: false,
});

// The application's models: the active views. Plain models, no `paranoid`.
class Author extends Model {}
Author.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: DataTypes.TEXT,
    email: DataTypes.TEXT,
}, { sequelize, tableName: 'authors_active', timestamps: false });

class Post extends Model {}
Post.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    authorId: { type: DataTypes.INTEGER, field: 'author_id' },
    title: DataTypes.TEXT,
}, { sequelize, tableName: 'posts_active', timestamps: false });

class Comment extends Model {}
Comment.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    postId: { type: DataTypes.INTEGER, field: 'post_id' },
    body: DataTypes.TEXT,
}, { sequelize, tableName: 'comments_active', timestamps: false });

Author.hasMany(Post, { foreignKey: 'authorId' });
Post.belongsTo(Author, { foreignKey: 'authorId' });
Post.hasMany(Comment, { foreignKey: 'postId' });
Comment.belongsTo(Post, { foreignKey: 'postId' });

// Admin side: the base table, deleted rows included (for restore).
class PostRecord extends Model {}
PostRecord.init({
    id: { type: DataTypes.INTEGER, primaryKey: true },
    deletedAt: { type: DataTypes.DATE, field: 'deleted_at' },
}, { sequelize, tableName: 'posts', timestamps: false });

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

// deleted_at of every row of a base table, as text (microseconds kept), by id.
async function deletedAt(table) {
    const rows = await sequelize.query(
        `SELECT id, deleted_at::text AS d FROM ${table} ORDER BY id`,
        { type: Sequelize.QueryTypes.SELECT });
    return Object.fromEntries(rows.map((r) => [r.id, r.d]));
}

async function ids(model) {
    return (await model.findAll({ order: [['id', 'ASC']] })).map((r) => r.id);
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

    // 1. Model.destroy(): the count the view reports.
    check('Post.destroy({ where: { id: 1 } })', await Post.destroy({ where: { id: p1.id } }), 1);
    check('Post.findByPk(1)', await Post.findByPk(p1.id), null);
    check('Post.findAll()', await ids(Post), [2, 3]);
    const posts = await deletedAt('posts');
    check('post 1 is still in the posts table, deleted', posts[1] !== null, true);
    check('posts table', posts, { 1: posts[1], 2: null, 3: null });
    check('its comments: soft-deleted with the same timestamp', await deletedAt('comments'),
        { 1: posts[1], 2: posts[1], 3: null, 4: null });
    check('Comment.findAll()', await ids(Comment), [3, 4]);
    check('destroying it again', await Post.destroy({ where: { id: p1.id } }), 0);

    // 2. A failed transaction rolls the soft delete back.
    await assert.rejects(sequelize.transaction(async (transaction) => {
        const n = await Post.destroy({ where: { id: p2.id }, transaction });
        check('destroy inside a transaction', n, 1);
        throw new Error('rollback');
    }), /rollback/);
    check('after the rollback post 2 is active', await ids(Post), [2, 3]);

    // 3. instance.destroy() of an author: the database cascades to posts and comments.
    await (await Author.findByPk(ben.id)).destroy();
    check('Author.findAll()', await ids(Author), [1]);
    const authors = await deletedAt('authors');
    check('authors table', authors, { 1: null, 2: authors[2] });
    check('posts table: Ben\'s posts cascaded', await deletedAt('posts'),
        { 1: posts[1], 2: authors[2], 3: authors[2] });
    check('comments table: and their comments', await deletedAt('comments'),
        { 1: posts[1], 2: posts[1], 3: authors[2], 4: authors[2] });
    check('Post.findAll() and Comment.findAll()', [await ids(Post), await ids(Comment)], [[], []]);

    // 4. The unique email is free again.
    const ben2 = await Author.create({ name: 'Ben (new account)', email: 'ben@example.com' });
    check('a new author takes the deleted author\'s email', ben2.id, 3);

    // 5. Restore post 1: an UPDATE of the base table; its comments come back with it.
    check('PostRecord.update({ deletedAt: null })',
        await PostRecord.update({ deletedAt: null }, { where: { id: p1.id } }), [1]);
    const restored = await Post.findByPk(p1.id,
        { include: Comment, order: [[Comment, 'id', 'ASC']] });
    check('post 1 is back with its comments',
        [restored.title, restored.Comments.map((c) => c.body)],
        ['Soft deletes', ['nice', 'typo in 2nd line']]);
    check('Post.findAll()', await ids(Post), [1]);

    await sequelize.close();
    console.log('sequelize example: all assertions passed');
}

main().catch(async (err) => {
    console.error(err);
    await sequelize.close().catch(() => {});
    process.exit(1);
});
